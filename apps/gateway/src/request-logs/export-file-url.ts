/** The path of an export's file, which its download link's token opens without a key. */
export function exportFilePath(id: string): string {
  return `/v1/logs/exports/${encodeURIComponent(id)}/file`;
}

const EXPORT_FILE_URL = /^\/v1\/logs\/exports\/[^/?]+\/file(?:\?|$)/;

/** Whether a request URL is an export file's (the access guard lets its token decide). */
export function isExportFileUrl(url: string): boolean {
  return url.startsWith('/v1/logs/exports/') && EXPORT_FILE_URL.test(url);
}
