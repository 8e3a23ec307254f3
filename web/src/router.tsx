import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react'

// A small history router: the console's paths mirror the API's (/environments/{env}/dags/{dag}/…), and run ids
// carry ':' and '+', so each segment is decoded here exactly once.

const NAVIGATE = 'conductor:navigate'

/** Goes to a console path (pushes history unless `replace`). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.dispatchEvent(new Event(NAVIGATE))
}

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams; href: string } {
  const [href, setHref] = useState(() => window.location.pathname + window.location.search)
  useEffect(() => {
    const update = () => setHref(window.location.pathname + window.location.search)
    window.addEventListener('popstate', update)
    window.addEventListener(NAVIGATE, update)
    return () => {
      window.removeEventListener('popstate', update)
      window.removeEventListener(NAVIGATE, update)
    }
  }, [])
  const url = new URL(href, window.location.origin)
  return { path: url.pathname, search: url.searchParams, href }
}

/** The decoded segments of a path (`/a/b%2Bc` → `['a', 'b+c']`). */
export function segments(path: string): string[] {
  return path.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part)
    } catch {
      return part
    }
  })
}

/** Replaces the query string without adding history (filters that belong in a shareable link). */
export function replaceSearch(values: Record<string, string>): void {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(values)) if (value) search.set(key, value)
  const text = search.toString()
  window.history.replaceState(null, '', window.location.pathname + (text ? `?${text}` : ''))
}

/** A link that navigates inside the console; modified clicks (new tab, …) behave as plain links. */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children: ReactNode }) {
  const { href, onClick, ...rest } = props
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event)
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(href)
    window.scrollTo(0, 0)
  }
  return <a href={href} onClick={click} {...rest} />
}
