/**
 * Airflow 2's JSON log `content` is Python's `str()` of a list of `(host, message)` tuples, e.g.
 * `[('worker-1', '*** Found local files:\\n...')]`; this gives the messages as one text. Anything else
 * (a plain string from a proxy or an older version) passes through unchanged.
 */
export function pythonLogText(content: unknown): unknown {
  if (typeof content !== 'string' || !content.startsWith('[(')) return content
  const messages = parsePythonLogTuples(content)
  return messages === null ? content : messages.join('\n')
}

/** Parses `[('host', 'message'), …]` (Python reprs of str or None); null when the text is not that shape. */
function parsePythonLogTuples(text: string): string[] | null {
  let at = 0
  const skipSpace = () => { while (text[at] === ' ') at++ }
  const expect = (char: string) => { skipSpace(); if (text[at] !== char) throw new SyntaxError(`expected ${char} at ${at}`); at++ }
  const value = (): string | null => {
    skipSpace()
    if (text.startsWith('None', at)) { at += 4; return null }
    const quote = text[at]
    if (quote !== "'" && quote !== '"') throw new SyntaxError(`expected a string at ${at}`)
    at++
    let out = ''
    for (;;) {
      const char = text[at]
      if (char === undefined) throw new SyntaxError('unterminated string')
      at++
      if (char === quote) return out
      if (char !== '\\') { out += char; continue }
      const escape = text[at++]
      const hex = (length: number) => {
        const digits = text.slice(at, at + length)
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== length) throw new SyntaxError(`bad escape at ${at}`)
        at += length
        return String.fromCodePoint(Number.parseInt(digits, 16))
      }
      switch (escape) {
        case 'n': out += '\n'; break
        case 'r': out += '\r'; break
        case 't': out += '\t'; break
        case 'x': out += hex(2); break
        case 'u': out += hex(4); break
        case 'U': out += hex(8); break
        case '\\': case "'": case '"': out += escape; break
        default: throw new SyntaxError(`unknown escape \\${escape ?? ''} at ${at}`)
      }
    }
  }
  try {
    const messages: string[] = []
    expect('[')
    skipSpace()
    if (text[at] === ']') { at++ } else {
      for (;;) {
        expect('(')
        value()
        expect(',')
        messages.push(value() ?? '')
        expect(')')
        skipSpace()
        if (text[at] === ']') { at++; break }
        expect(',')
      }
    }
    skipSpace()
    return at === text.length ? messages : null
  } catch {
    return null
  }
}
