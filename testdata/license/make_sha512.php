<?php
// Prints a signed-JSON offline license signed with RSA-SHA512, the way the
// license server signs for a product set to RSA-SHA512 and the PHP SDK
// checks it, never with respsig: openssl_sign(..., OPENSSL_ALGO_SHA512) over
// json_encode($document_without_signature, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE).
// Key: ../keys/rsa2048.pem. PKCS#1 v1.5 is deterministic: a re-run prints
// the same bytes.
//
// Run: php testdata/license/make_sha512.php > testdata/license/php-signed-sha512.json
const FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;

$doc = ['license' => [
    'license_key' => 'LIC-2024-SHA512',
    'product_uuid' => '8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f',
    'expires_at' => '2035-12-31 23:59:59',
    'download_url' => 'https://downloads.example.com/app/v2/setup.exe',
    'customer' => 'Zoë Ünïcødé 株式会社',
    'licenseCheckInterval' => 7,
]];
$key = openssl_pkey_get_private(file_get_contents(__DIR__ . '/../keys/rsa2048.pem'));
if (!openssl_sign(json_encode($doc, FLAGS), $signature, $key, OPENSSL_ALGO_SHA512)) {
    fwrite(STDERR, "openssl_sign failed\n");
    exit(1);
}
$doc['signature'] = base64_encode($signature);
echo json_encode($doc, FLAGS), "\n";
