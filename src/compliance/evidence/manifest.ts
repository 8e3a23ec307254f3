import { createHash, createPublicKey, sign, verify } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { AuditCheckpoint, CheckpointKey, CheckpointPublicJwk } from '../../audit/index.ts'

/** `manifest.json` of an evidence bundle. */
export interface EvidenceManifest {
  format: 'conductor-evidence-bundle/1'
  period: { from: string; to: string }
  asOf: string
  generatedAt: string
  generatedBy: { type: string; id: string }
  /** Every file of the bundle but the manifest, with its SHA-256 (hex) and size. */
  files: { path: string; sha256: string; bytes: number }[]
  /** The events in audit/events.jsonl: from the period's first to the covering checkpoint's. */
  events: { firstSeq: number; lastSeq: number; count: number; inPeriod: number }
  /** The signed checkpoint covering the period (its seq ≥ the period's last event). */
  checkpoint: AuditCheckpoint
  /** The public key of the checkpoint and of this manifest's signature. */
  key: CheckpointPublicJwk
  pdf: { rendered: boolean; reason: string | null }
  /** What access "as of" was recomputed against. */
  notes: string[]
  /** Ed25519 (base64url) over the RFC 8785 canonical JSON of every other field. */
  signature: string
}

/** SHA-256, hex. */
export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function payload(manifest: Omit<EvidenceManifest, 'signature'>): Buffer {
  const { signature: _ignored, ...rest } = manifest as EvidenceManifest
  return Buffer.from(canonicalize(rest) ?? '')
}

/** Signs the manifest with the checkpoint key. */
export function signManifest(manifest: Omit<EvidenceManifest, 'signature'>, key: CheckpointKey): EvidenceManifest {
  return { ...manifest, signature: sign(null, payload(manifest), key.privateKey).toString('base64url') }
}

/** True when the manifest's signature verifies with `publicJwk`. Never throws. */
export function verifyManifestSignature(manifest: EvidenceManifest, publicJwk: Pick<CheckpointPublicJwk, 'x'>): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x }, format: 'jwk' })
    return verify(null, payload(manifest), publicKey, Buffer.from(manifest.signature, 'base64url'))
  } catch {
    return false
  }
}
