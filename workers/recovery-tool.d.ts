/**
 * The offline recovery tool (src/offline) as one self-contained HTML page, built by the
 * `tessera-recovery-tool` plugin in vite.config.ts: a string, put into every share bundle.
 */
declare module 'virtual:tessera-recovery-tool' {
  const html: string;
  export default html;
}
