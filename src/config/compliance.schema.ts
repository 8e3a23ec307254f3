import { z } from 'zod'

/** `compliance`: reports and evidence bundles. */
export const complianceSchema = z.strictObject({
  evidence: z.strictObject({
    chromium: z.string().min(1).optional()
      .describe('Path of the headless Chromium that renders an evidence bundle\'s summary.pdf; default `/usr/bin/chromium` when present, else no PDF (the manifest says why).'),
    pdfTimeoutSeconds: z.number().int().min(1).max(300).default(60).describe('How long rendering the PDF may take before it is given up (the bundle is still built).'),
  }).prefault({}),
}).describe('Compliance reports and evidence bundles (docs/compliance.md).')
