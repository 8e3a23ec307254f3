import { readFile } from 'node:fs/promises'
import { connect as connectTcp, isIP, type Socket } from 'node:net'
import { hostname } from 'node:os'
import { connect as connectTls } from 'node:tls'
import { ConductorError } from '../../core/index.ts'
import type { AuditEvent } from '../types.ts'
import { eventJson, type AuditSink, type GetSecret } from './sink.ts'

/** Where a syslog sink sends, as configured (`audit.sinks[]` with `type: syslog`). */
export interface SyslogSinkOptions {
  name: string
  host: string
  port: number
  tls: { enabled: boolean; ca?: { provider: string; secret: string } | undefined; caFile?: string | undefined; serverName?: string | undefined }
  facility: number
  appName: string
  timeoutSeconds: number
}

/** The SD-ID of the structured data element every message carries (32473 is the documentation enterprise number of RFC 5612). */
export const SYSLOG_SD_ID = 'conductor@32473'

const BOM = '\u{FEFF}'

function printable(text: string, max: number): string {
  const cleaned = text.replace(/[^!-~]/g, '_').slice(0, max)
  return cleaned === '' ? '-' : cleaned
}

function sdValue(text: string): string {
  return text.replace(/[\\"\]]/g, (c) => `\\${c}`)
}

/**
 * One audit event as an RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [conductor@32473 seq=… hash=…] BOM JSON`.
 * The MSGID is the event type; a denied decision is a warning (4), anything else informational (6).
 */
export function formatSyslogMessage(event: AuditEvent, options: { facility: number; appName: string; hostname: string; procId: string }): string {
  const severity = event.decision === 'deny' ? 4 : 6
  const sd = `[${SYSLOG_SD_ID} seq="${event.seq}" type="${sdValue(event.type)}" hash="${sdValue(event.hash)}"]`
  const header = `<${options.facility * 8 + severity}>1 ${event.at} ${printable(options.hostname, 255)} ${printable(options.appName, 48)} ${printable(options.procId, 128)} ${printable(event.type, 32)}`
  return `${header} ${sd} ${BOM}${eventJson(event)}`
}

/** A message in octet-counting framing (RFC 6587 §3.4.1): its length in bytes, a space, the message. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8')
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body])
}

/**
 * A syslog sink: RFC 5424 over TCP, octet-counted, optionally TLS. One connection is kept and opened again after the
 * receiver closes it. A batch counts as accepted once the socket has written it all to a connection the receiver
 * has not closed (plain syslog has no acknowledgement).
 */
export function createSyslogSink(options: SyslogSinkOptions, getSecret: GetSecret): AuditSink {
  const host = hostname()
  const procId = String(process.pid)
  let socket: Socket | undefined

  const unavailable = (message: string, cause?: unknown) =>
    new ConductorError('audit_sink_unavailable', `audit sink ${options.name}: ${message}`, { details: { sink: options.name }, cause })

  async function ca(): Promise<string | undefined> {
    if (options.tls.ca) return getSecret(options.tls.ca)
    if (options.tls.caFile) return readFile(options.tls.caFile, 'utf8')
    return undefined
  }

  async function open(): Promise<Socket> {
    const caPem = options.tls.enabled ? await ca() : undefined
    return new Promise<Socket>((resolve, reject) => {
      const timeout = setTimeout(() => { s.destroy(); reject(unavailable(`no connection within ${options.timeoutSeconds} s`)) }, options.timeoutSeconds * 1000)
      const fail = (error: Error) => { clearTimeout(timeout); s.destroy(); reject(unavailable(`cannot connect to ${options.host}:${options.port}: ${error.message}`, error)) }
      const ready = () => {
        clearTimeout(timeout)
        s.off('error', fail)
        const drop = () => { if (socket === s) socket = undefined; s.destroy() }
        // The receiver closing (or resetting) the connection makes the next batch open a new one.
        s.on('error', drop).on('end', drop).on('close', drop)
        // Reading (and discarding) is what lets the receiver's close be seen before the next batch.
        s.resume()
        s.setNoDelay(true)
        s.setKeepAlive(true)
        resolve(s)
      }
      // SNI carries names, not addresses (RFC 6066); the certificate is still checked against the address.
      const serverName = options.tls.serverName ?? (isIP(options.host) ? undefined : options.host)
      const s: Socket = options.tls.enabled
        ? connectTls({ host: options.host, port: options.port, ...(serverName ? { servername: serverName } : {}), ...(caPem ? { ca: caPem } : {}) }, ready)
        : connectTcp({ host: options.host, port: options.port }, ready)
      s.once('error', fail)
    })
  }

  return {
    name: options.name,
    type: 'syslog',
    async send(events: readonly AuditEvent[]) {
      if (events.length === 0) return
      const connection = socket && !socket.destroyed && socket.writable ? socket : (socket = await open())
      const payload = Buffer.concat(events.map((event) => frameOctetCounted(formatSyslogMessage(event, { facility: options.facility, appName: options.appName, hostname: host, procId }))))
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => { connection.destroy(); reject(unavailable(`batch not written within ${options.timeoutSeconds} s`)) }, options.timeoutSeconds * 1000)
        connection.write(payload, (error) => {
          clearTimeout(timeout)
          if (error) { connection.destroy(); reject(unavailable(`write failed: ${error.message}`, error)) } else resolve()
        })
      })
      // A receiver that went away while we wrote: the batch is sent again on a new connection.
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (connection.destroyed) throw unavailable('the receiver closed the connection')
    },
    async close() {
      const s = socket
      socket = undefined
      if (s && !s.destroyed) await new Promise<void>((resolve) => s.end(() => resolve()))
      s?.destroy()
    },
  }
}
