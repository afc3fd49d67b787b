<?php
// Inputs of the cost curve (benches/curve/), made by PHP, not by respsig:
// for each size, a payload of exactly that many bytes as json_encode writes
// it (default flags: compact, \uXXXX, \/), signed the way the server signs
// (openssl_sign, SHA-256, over the ASCII of its base64) with
// testdata/keys/rsa2048.pem, in two envelopes:
//   SIZE.json         compact: `response` is the payload's own bytes, the
//                     base64 strings written without `\/` escapes (as the
//                     server writes them, see testdata/gkm/)
//   SIZE-pretty.json  json_encode(envelope, JSON_PRETTY_PRINT |
//                     JSON_UNESCAPED_SLASHES), as the seed envelopes and
//                     the docs show them: `response` indented, its "/"
//                     unescaped, so its bytes differ from the payload's
// Deterministic (no clock, no randomness): rerunning writes the same bytes.
// Usage: php make.php REPO_ROOT OUT_DIR
$root = $argv[1];
$out = $argv[2];
@mkdir($out, 0777, true);
$key = openssl_pkey_get_private(file_get_contents("$root/testdata/keys/rsa2048.pem"));
if ($key === false) {
    fwrite(STDERR, "cannot load testdata/keys/rsa2048.pem\n");
    exit(1);
}

// A license server's answer: a header, then product items (ints, floats,
// non-ASCII text, URLs, booleans, null), then ASCII padding to the size.
function item(int $i): array {
    return [
        'id' => 1000 + $i,
        'name' => "Lizenz für Käufer Nr. $i, Café Zürich 日本語 😀",
        'price' => 19.99 + ($i % 40) * 0.25,
        'ratio' => 0.1 + ($i % 8) / 8,
        'url' => "https://example.com/downloads/product-$i/setup.exe",
        'active' => $i % 3 != 0,
        'expires_at' => $i % 5 == 0 ? null : 1709169556 + $i * 86400,
    ];
}

function payload(int $size): array {
    $p = ['code' => 300, 'message' => 'License key activated', 'data' => ['items' => []],
          'timestamp' => 1709169556, 'pad' => ''];
    // Compact length tracked item by item (one comma between items).
    $len = strlen(json_encode($p));
    for ($i = 0; ; $i++) {
        $more = strlen(json_encode(item($i))) + ($i > 0 ? 1 : 0);
        if ($len + $more > $size) {
            break;
        }
        $p['data']['items'][] = item($i);
        $len += $more;
    }
    $p['pad'] = str_repeat('x', $size - strlen(json_encode($p)));
    if (strlen(json_encode($p)) !== $size) {
        fwrite(STDERR, "size $size not reached\n");
        exit(1);
    }
    return $p;
}

foreach ([100, 1024, 2048, 8192, 65536, 1048576] as $size) {
    $payload = payload($size);
    $b64 = base64_encode(json_encode($payload));
    if (!openssl_sign($b64, $sig, $key, OPENSSL_ALGO_SHA256)) {
        exit(1);
    }
    $sig = base64_encode($sig);
    file_put_contents("$out/$size.json", '{"response":' . json_encode($payload)
        . ",\"response_base64\":\"$b64\",\"private_key_used\":\"product\",\"signature\":\"$sig\"}");
    $env = ['response' => $payload, 'response_base64' => $b64,
            'private_key_used' => 'product', 'signature' => $sig];
    file_put_contents("$out/$size-pretty.json", json_encode($env, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));
}
