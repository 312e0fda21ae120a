export type {
  AnalyticsRange,
  FeedbackGroup,
  FeedbackSummaryOptions,
  FeedbackSummaryRow,
  RescuedRow,
} from './log-analytics.js';
export {
  hashDownloadToken,
  LOG_EXPORT_STALE_MS,
  type LogExportInput,
  type LogExportRecord,
  LogExportRepository,
  type LogExportRun,
  type LogExportStatus,
} from './log-exports.js';
export {
  decodeCursor,
  type LogFilter,
  type LogPage,
  MAX_LOG_METADATA_FILTERS,
  RequestLogRepository,
  type StoredRequestLog,
  type Summary,
  type SummaryFilter,
  type SummaryGroup,
  type SummaryOptions,
  type SummaryRank,
  type SummaryRow,
} from './log-queries.js';
export {
  type LogAttempt,
  type LogCheckResult,
  type LogCostPart,
  type LogHookResult,
  newLogId,
  type RequestLogInput,
  rowsOf,
  storedMetadataOf,
} from './log-record.js';
export type { LogRowsWritten } from './log-rows.js';
export {
  appendLogSpill,
  LOG_SPILL_FILE,
  type LogRow,
  type LogSpillOutcome,
  type LogSpillReplay,
  type LogSpillReplayOptions,
  logRowOfLine,
  startLogSpillReplay,
} from './log-spill.js';
export { type LogSink, type LogWriterOptions, type LogWriterStats, RequestLogWriter } from './log-writer.js';
export { PostgresLogSink } from './postgres-log-sink.js';
export { SqliteLogSink } from './sqlite-log-sink.js';
