import { createGunzip, createGzip } from 'node:zlib'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import { extract, pack } from 'tar-stream'

/** A bundle in memory: relative path → bytes, in the order they are packed. */
export type BundleFiles = Map<string, Buffer>

/** Packs the files as a gzip-compressed tar (regular files, mode 0644, the given mtime). */
export async function toTarGz(files: BundleFiles, mtime: Date): Promise<Buffer> {
  const tar = pack()
  const chunks: Buffer[] = []
  const gzip = createGzip()
  gzip.on('data', (c: Buffer) => chunks.push(c))
  const done = pipeline(tar, gzip)
  for (const [name, bytes] of files) {
    await new Promise<void>((resolve, reject) => tar.entry({ name, size: bytes.length, mode: 0o644, mtime }, bytes, (error) => (error ? reject(error) : resolve())))
  }
  tar.finalize()
  await done
  return Buffer.concat(chunks)
}

/** Reads a gzip-compressed tar of regular files back into memory; refuses paths that leave the folder. */
export async function fromTarGz(bytes: Buffer): Promise<BundleFiles> {
  const files: BundleFiles = new Map()
  const ex = extract()
  ex.on('entry', (header, stream, next) => {
    const parts: Buffer[] = []
    stream.on('data', (c: unknown) => parts.push(c as Buffer))
    stream.on('end', () => {
      if (header.type === 'file') {
        if (header.name.startsWith('/') || header.name.split('/').includes('..')) { next(new Error(`unsafe path in bundle: ${header.name}`)); return }
        files.set(header.name, Buffer.concat(parts))
      }
      next()
    })
    stream.resume()
  })
  await pipeline(Readable.from([bytes]), createGunzip(), ex)
  return files
}
