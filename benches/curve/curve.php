<?php
// PHP's side of the cost curve (benches/curve/run.sh): for each envelope of
// make.php, the full check a PHP client does (json_decode, strict
// base64_decode, openssl_verify with a key loaded once, payload
// json_decode, == against `response`; compare.php's check) against
// openssl_verify alone on the same bytes, in alternating batches (order
// swapped every round). Prints the line format of benches/curve/main.rs
// (READ_NS: json_decode of the envelope alone).
// Usage: php curve.php REPO_ROOT CURVE_DIR
$root = $argv[1];
$dir = $argv[2];
$seconds = (float)(getenv('CURVE_SECONDS') ?: 2);

require __DIR__ . '/../compare/check.php';

// Per-call ns of $a and $b in alternating batches of about 4 ms.
function paired(float $seconds, callable $a, callable $b): array {
    $start = hrtime(true);
    $calls = 0;
    do {
        $a();
        $b();
        $calls++;
    } while ($calls < 2 || hrtime(true) - $start < 50e6);
    $perPair = (hrtime(true) - $start) / $calls;
    $batch = max(1, (int)ceil(4e6 / $perPair));
    $rounds = max(15, min(400, (int)($seconds * 1e9 / ($perPair * $batch))));
    $time = function (callable $f) use ($batch): float {
        $t = hrtime(true);
        for ($i = 0; $i < $batch; $i++) {
            $f();
        }
        return (hrtime(true) - $t) / $batch;
    };
    $ta = $tb = [];
    for ($r = 0; $r < $rounds; $r++) {
        if ($r % 2 == 0) {
            $ta[] = $time($a);
            $tb[] = $time($b);
        } else {
            $tb[] = $time($b);
            $ta[] = $time($a);
        }
    }
    return [$ta, $tb];
}

function q(array $v, float $p): float {
    sort($v);
    return $v[(int)round((count($v) - 1) * $p)];
}

$key = openssl_pkey_get_public(file_get_contents("$root/testdata/keys/rsa2048.pub.pem"));
$keys = ['product' => $key];
foreach ([100, 1024, 2048, 8192, 65536, 1048576] as $size) {
    foreach (['compact' => "$size.json", 'pretty' => "$size-pretty.json"] as $variant => $file) {
        $text = file_get_contents("$dir/$file");
        $env = json_decode($text, true);
        $signed = $env['response_base64'];
        $sig = base64_decode($env['signature'], true);
        if (!check($text, $keys) || openssl_verify($signed, $sig, $key, OPENSSL_ALGO_SHA256) !== 1) {
            fwrite(STDERR, "$file does not verify in PHP\n");
            exit(1);
        }
        [$full, $raw] = paired($seconds, function () use ($text, $keys) {
            check($text, $keys);
        }, function () use ($signed, $sig, $key) {
            openssl_verify($signed, $sig, $key, OPENSSL_ALGO_SHA256);
        });
        $ratio = $diff = [];
        foreach ($full as $i => $f) {
            $ratio[] = $f / $raw[$i];
            $diff[] = $f - $raw[$i];
        }
        [$read] = paired($seconds / 4, function () use ($text) {
            json_decode($text, true);
        }, function () {
        });
        printf("php\t%d\t%s\t%d\t%.0f\t%.0f\t%.4f\t%.0f\t%.0f\t%.0f\t%.0f\n", $size, $variant,
            strlen($text), q($full, 0.5), q($raw, 0.5), q($ratio, 0.5), q($diff, 0.5),
            q($diff, 0.25), q($diff, 0.75), q($read, 0.5));
    }
}
