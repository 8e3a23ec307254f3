/**
 * Compiles a glob where `*` matches any run of characters (none included, `/` and newlines included) and every other
 * character is literal, anchored at both ends: trust rules' claim conditions, webhook event filters, dataset tags.
 */
export function globToRegExp(glob: string): RegExp {
  const source = glob.split('*').map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*')
  return new RegExp(`^${source}$`, 's')
}
