#!/usr/bin/env bash
# Makes the TLS material of a Docker engine that answers only clients holding a certificate of its own CA
# (dockerd --tlsverify), with openssl:
#
#   scripts/docker-tls-certs.sh OUT_DIR [SAN] [DAYS]
#
#   SAN   the names the platform uses to reach the engine, as openssl writes them
#         (default "IP:127.0.0.1,DNS:localhost"; e.g. "DNS:docker1.internal,IP:10.0.0.5")
#   DAYS  validity of the certificates (default 365)
#
# Writes, in OUT_DIR:
#   ca.pem, ca-key.pem            the CA (keep ca-key.pem offline: whoever has it can make clients)
#   server-cert.pem, server-key.pem   for dockerd: --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem
#   client/ca.pem, client/cert.pem, client/key.pem
#                                 for the platform: Runtime:CertificateDirectory=OUT_DIR/client
#                                 (or the three files' text as Runtime:CaCertificate/ClientCertificate/ClientKey)
# Refuses to overwrite an existing ca.pem.
set -euo pipefail

[ $# -ge 1 ] && [ $# -le 3 ] || { sed -n '2,19p' "$0" >&2; exit 2; }
out=$1
san=${2:-IP:127.0.0.1,DNS:localhost}
days=${3:-365}
command -v openssl >/dev/null 2>&1 || { echo "error: openssl is not installed" >&2; exit 3; }
[ -e "$out/ca.pem" ] && { echo "error: $out/ca.pem exists; choose an empty folder" >&2; exit 1; }

mkdir -p "$out/client"
cd "$out"
umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl genrsa -out ca-key.pem 2048 2>/dev/null
openssl req -new -x509 -days "$days" -key ca-key.pem -subj "/CN=platform agent runtime CA" -out ca.pem

openssl genrsa -out server-key.pem 2048 2>/dev/null
openssl req -new -key server-key.pem -subj "/CN=docker engine" -out "$work/server.csr"
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$work/server.ext"
openssl x509 -req -days "$days" -in "$work/server.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
  -extfile "$work/server.ext" -out server-cert.pem 2>/dev/null

openssl genrsa -out client/key.pem 2048 2>/dev/null
openssl req -new -key client/key.pem -subj "/CN=platform worker" -out "$work/client.csr"
printf 'extendedKeyUsage=clientAuth\n' >"$work/client.ext"
openssl x509 -req -days "$days" -in "$work/client.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
  -extfile "$work/client.ext" -out client/cert.pem 2>/dev/null
cp ca.pem client/ca.pem
rm -f ca.srl
chmod 0644 ca.pem server-cert.pem client/ca.pem client/cert.pem
echo "$out"
