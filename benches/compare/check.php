<?php
// The full check a PHP client does with an envelope, shared by
// compare.php and benches/curve/curve.php.

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
