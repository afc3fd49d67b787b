#!/usr/bin/env bash
# Makes the test keys in this folder with the OpenSSL CLI (not with respsig).
# Run from this folder: bash make.sh   (OpenSSL 3.0.19 made the committed set)
# These keys are for tests only; their private halves are public knowledge.
set -euo pipefail
for spec in rsa1024:1024 rsa2048:2048 other2048:2048 rsa3072:3072 rsa4096:4096; do
  name=${spec%%:*} bits=${spec##*:}
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$bits" -pkeyopt rsa_keygen_pubexp:65537 -out "$name.pem" 2>/dev/null
  openssl pkey -in "$name.pem" -pubout -out "$name.pub.pem"
done
# Every public and private format the loaders accept, for the 2048-bit key.
openssl pkey -in rsa2048.pem -pubout -outform DER -out rsa2048.pub.der
openssl rsa -in rsa2048.pem -RSAPublicKey_out -out rsa2048.rsapub.pem 2>/dev/null
openssl rsa -in rsa2048.pem -RSAPublicKey_out -outform DER -out rsa2048.rsapub.der 2>/dev/null
openssl rsa -in rsa2048.pem -traditional -out rsa2048.rsa.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in rsa2048.pem -outform DER -out rsa2048.der
openssl rsa -in rsa2048.pem -traditional -outform DER -out rsa2048.rsa.der 2>/dev/null
openssl rsa -pubin -in rsa2048.pub.pem -noout -modulus > rsa2048.modulus.txt
# An EC key: a well-formed public key that is not RSA.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout -out ec-p256.pub.pem
# Ed25519 (RFC 8410): PKCS#8 v1 private keys as `openssl genpkey` writes
# them, the public key as SPKI PEM and DER, and raw (the last 32 bytes of
# the SPKI DER, which are the key itself).
for name in ed25519 other-ed25519; do
  openssl genpkey -algorithm ED25519 -out "$name.pem"
  openssl pkey -in "$name.pem" -pubout -out "$name.pub.pem"
done
openssl pkey -in ed25519.pem -outform DER -out ed25519.der
openssl pkey -in ed25519.pem -pubout -outform DER -out ed25519.pub.der
tail -c 32 ed25519.pub.der > ed25519.pub.raw
