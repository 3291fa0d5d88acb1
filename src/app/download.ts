/**
 * Hands a Blob to the browser as a download under `fileName`. The Blob stays on disk (an OPFS
 * file), so nothing is copied into memory; its URL is revoked when the caller says so.
 */
export function startDownload(blob: Blob, fileName: string): () => void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  return () => URL.revokeObjectURL(url);
}
