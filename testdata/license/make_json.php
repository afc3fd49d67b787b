<?php
// Makes the signed-JSON offline licenses in this folder the way the license
// server and the official PHP SDK do, never with respsig: openssl_sign
// (RSASSA-PKCS1-v1_5, SHA-256) over
// json_encode($document_without_signature, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE).
// Keys: ../keys/rsa2048.pem and ../keys/rsa4096.pem. PKCS#1 v1.5 signatures
// are deterministic, so a re-run writes the same files.
//
// Run: php testdata/license/make_json.php
const FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;

$license = [
    'license_key' => 'LIC-2024-ABCD1234',
    'product_uuid' => '8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f',
    'hardware_id' => 'HW-1234',
    'domain' => 'example.com',
    'expires_at' => '2035-12-31 23:59:59',
    'download_url' => 'https://downloads.example.com/app/v2/setup.exe',
    'customer' => [
        'name' => 'Zoë Ünïcødé 株式会社',
        'emoji' => '🔑😀',
        'lines' => "first\u{2028}second\u{2029}third",
        'control' => "tab\there \"quoted\" back\\slash \u{7f}",
    ],
    'price' => 19.99,
    'ratio' => 0.1,
    'big' => 1.0e25,
    'small' => 1.5e-7,
    'whole' => 100.0,
    'negative' => -0.5,
    'features' => ['reports/export', 'api', 'sso'],
    'licenseCheckInterval' => 7,
    'forceLicenseValidation' => 30,
];

function sign_doc(array $unsigned, string $keyFile): string {
    $key = openssl_pkey_get_private(file_get_contents(__DIR__ . "/../keys/$keyFile"));
    $payload = json_encode($unsigned, FLAGS);
    if (!openssl_sign($payload, $signature, $key, OPENSSL_ALGO_SHA256)) {
        fwrite(STDERR, "openssl_sign failed\n");
        exit(1);
    }
    return base64_encode($signature);
}

function write(string $name, string $text): void {
    file_put_contents(__DIR__ . "/$name", $text . "\n");
    echo "$name\n";
}

// Written compactly with the same flags: the file is the signed bytes plus
// the signature member.
$doc = ['license' => $license];
$doc['signature'] = sign_doc($doc, 'rsa2048.pem');
write('php-signed-compact.json', json_encode($doc, FLAGS));

// The same document written with PHP's default escaping and pretty-printed:
// the reader must re-encode to find the signed bytes.
write('php-signed-pretty.json', json_encode($doc, JSON_PRETTY_PRINT));

// Another top-level member after `signature`: covered by the signature, in
// document order (`license`, then `issued`).
$issued = ['at' => 1767225600, 'by' => 'server/1.0'];
$signature = sign_doc(['license' => $license, 'issued' => $issued], 'rsa4096.pem');
write('php-signed-4096-extra.json', json_encode(
    ['license' => $license, 'signature' => $signature, 'issued' => $issued],
    FLAGS
));
