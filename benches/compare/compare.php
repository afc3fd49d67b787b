<?php
// The PHP side of the comparison: what a PHP client does with an envelope,
// the key loaded once with openssl_pkey_get_public. Prints
// "php<TAB>name<TAB>envelopes per second" (median of rounds) for each line
// of envelopes.txt. Usage: php compare.php REPO_ROOT
$root = $argv[1];
$seconds = (float)(getenv('COMPARE_SECONDS') ?: 0.5);
$rounds = (int)(getenv('COMPARE_ROUNDS') ?: 5);

// Full envelope check: json_decode, strict base64 decode, openssl_verify
// over the ASCII of response_base64, decode the payload, compare.
function check(string $text, array $keys): bool {
    $env = json_decode($text, true);
    if (!is_array($env) || !is_array($env['response'] ?? null)
        || !is_string($env['response_base64'] ?? null)
        || !is_string($env['private_key_used'] ?? null)
        || !is_string($env['signature'] ?? null)) {
        return false;
    }
    $key = $keys[$env['private_key_used']] ?? null;
    if ($key === null) {
        return false;
    }
    $sig = base64_decode($env['signature'], true);
    if ($sig === false) {
        return false;
    }
    if (openssl_verify($env['response_base64'], $sig, $key, OPENSSL_ALGO_SHA256) !== 1) {
        return false;
    }
    $payload = base64_decode($env['response_base64'], true);
    if ($payload === false) {
        return false;
    }
    $decoded = json_decode($payload, true);
    return is_array($decoded) && $decoded == $env['response'];
}

foreach (file("$root/benches/compare/envelopes.txt") as $line) {
    $line = trim($line);
    if ($line === '' || $line[0] === '#') {
        continue;
    }
    [$name, $keyPath, $envPath] = preg_split('/\s+/', $line);
    $key = openssl_pkey_get_public(file_get_contents("$root/$keyPath"));
    if ($key === false) {
        fwrite(STDERR, "cannot load $keyPath\n");
        exit(1);
    }
    $keys = ['product' => $key, 'global' => $key];
    $text = file_get_contents("$root/$envPath");
    if (!check($text, $keys)) {
        fwrite(STDERR, "$name does not verify in PHP\n");
        exit(1);
    }
    $rates = [];
    for ($r = 0; $r < $rounds; $r++) {
        $calls = 0;
        $batch = 16;
        $start = hrtime(true);
        do {
            for ($i = 0; $i < $batch; $i++) {
                if (!check($text, $keys)) {
                    exit(1);
                }
            }
            $calls += $batch;
            $batch = min($batch * 2, 4096);
            $elapsed = (hrtime(true) - $start) / 1e9;
        } while ($elapsed < $seconds);
        $rates[] = $calls / $elapsed;
    }
    sort($rates);
    printf("php\t%s\t%.0f\n", $name, $rates[intdiv(count($rates), 2)]);
}
