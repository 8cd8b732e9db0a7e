import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

/** This machine's first non-loopback IPv4 address: a host a corporate proxy applies to, reachable directly too. */
export function nonLoopbackAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('this test needs a network interface with a non-loopback IPv4 address');
}

/** A throwaway self-signed certificate for an IP address (openssl), for a local https provider. */
export function selfSignedCertificate(dir: string, ip: string): { key: string; cert: string; certPath: string } {
  const keyPath = join(dir, 'provider-key.pem');
  const certPath = join(dir, 'provider-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=broker-test-provider', '-addext', `subjectAltName=IP:${ip}`], { stdio: 'ignore' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}
