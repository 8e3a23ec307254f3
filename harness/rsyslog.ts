/**
 * A real rsyslog (Debian's `rsyslogd`) on loopback for the audit streaming tests: `imtcp` on a port, optionally TLS
 * through the `gtls` driver (package rsyslog-gnutls), writing each received message to a file in a temp folder as
 * `MSGID|APP-NAME|STRUCTURED-DATA|MSG`. It can be stopped and started again on the same port (a receiver outage).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, logTail, stopGroup } from './processes.ts'
import { eventually } from './poll.ts'

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd', '/usr/bin/rsyslogd']

/** The rsyslogd binary, or null when rsyslog is not installed. */
export function rsyslogd(): string | null {
  return RSYSLOGD.find((path) => existsSync(path)) ?? null
}

/** Why rsyslog tests are skipped here, or false when they can run. */
export function rsyslogSkip(): string | false {
  return rsyslogd() === null ? 'rsyslogd is not installed (apt-get install -y rsyslog rsyslog-gnutls)' : false
}

/** One message rsyslog wrote to its file. */
export interface ReceivedSyslog {
  msgId: string
  appName: string
  structuredData: string
  /** The message text (the BOM removed). */
  msg: string
}

/** A running (or stopped) rsyslog receiver. */
export interface Rsyslog {
  port: number
  /** The messages written so far, in the order rsyslog received them. */
  received(): Promise<ReceivedSyslog[]>
  /** Stops rsyslogd (the receiver goes away; its file stays). */
  stop(): Promise<void>
  /** Starts rsyslogd again on the same port, appending to the same file. */
  start(): Promise<void>
  /** Stops it and deletes its folder. */
  close(): Promise<void>
}

/** TLS material for the receiver: PEM files. */
export interface RsyslogTls {
  caFile: string
  certFile: string
  keyFile: string
}

/** Starts rsyslogd with `imtcp` on a free loopback port (TLS with `tls`). Throws when rsyslogd is missing: check {@link rsyslogSkip} first. */
export async function startRsyslog(options: { tls?: RsyslogTls } = {}): Promise<Rsyslog> {
  const binary = rsyslogd()
  if (binary === null) throw new Error(rsyslogSkip() as string)
  const dir = await mkdtemp(join(tmpdir(), 'rsyslog-'))
  const port = await freePort()
  const outFile = join(dir, 'received.log')
  const logFile = join(dir, 'rsyslogd.log')
  const confFile = join(dir, 'rsyslog.conf')
  const tls = options.tls
  await writeFile(confFile, [
    `global(workDirectory="${dir}" maxMessageSize="256k"${tls ? ` defaultNetstreamDriver="gtls" defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${tls.certFile}" defaultNetstreamDriverKeyFile="${tls.keyFile}"` : ''})`,
    `module(load="imtcp"${tls ? ' streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon"' : ''})`,
    `input(type="imtcp" port="${port}" address="127.0.0.1")`,
    'template(name="audit" type="string" string="%msgid%|%app-name%|%structured-data%|%msg%\\n")',
    `action(type="omfile" file="${outFile}" template="audit" flushOnTXEnd="on" asyncWriting="off")`,
    '',
  ].join('\n'))

  let child: ChildProcess | undefined
  let exited: { code: number | null; signal: string | null } | undefined
  let exit: Promise<void> = Promise.resolve()

  async function start(): Promise<void> {
    const log = createWriteStream(logFile, { flags: 'a' })
    exited = undefined
    const spawned = spawn(binary!, ['-n', '-f', confFile, '-i', join(dir, 'rsyslogd.pid')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })
    child = spawned
    spawned.stdout!.pipe(log)
    spawned.stderr!.pipe(log)
    exit = new Promise<void>((done) => spawned.once('exit', (code, signal) => { exited = { code, signal }; log.end(); done() }))
    try {
      await eventually(async () => {
        if (exited) throw Object.assign(new Error(`rsyslogd exited (code ${exited.code}, signal ${exited.signal})`), { fatal: true })
        return new Promise<boolean>((resolve) => {
          const probe = connect({ host: '127.0.0.1', port }, () => { probe.destroy(); resolve(true) })
          probe.once('error', () => resolve(false))
        })
      }, { what: `rsyslogd to listen on 127.0.0.1:${port}`, timeoutMs: 20_000, intervalMs: 100, fatal: (error) => (error as { fatal?: boolean }).fatal === true })
    } catch (error) {
      await stop()
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await logTail(logFile)}`, { cause: error })
    }
  }

  async function stop(): Promise<void> {
    const running = child
    child = undefined
    if (running && !exited) await stopGroup(running, exit, () => exited !== undefined)
  }

  await start()
  return {
    port,
    async received() {
      const text = await readFile(outFile, 'utf8').catch(() => '')
      return text.split('\n').filter(Boolean).map((line) => {
        const match = /^([^|]*)\|([^|]*)\|(-|\[.*?[^\\]\])\|(.*)$/.exec(line)
        if (!match) throw new Error(`rsyslog wrote a line the test cannot read: ${line.slice(0, 200)}`)
        return { msgId: match[1]!, appName: match[2]!, structuredData: match[3]!, msg: match[4]!.replace(/^\u{FEFF}/u, '') }
      })
    },
    stop,
    start,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
