// Public surface of the capper's notification sinks.
export * from './types.js';
export { NotificationDispatcher, backoffMs, sinkMetrics, DEFAULT_RETRY, type DispatcherOptions, type RetryOptions, type SinkMetrics } from './dispatcher.js';
export { AlertmanagerSink, alertFor, type AlertmanagerSinkConfig, type PostableAlert } from './alertmanager-sink.js';
export { SlackWebhookSink, type SlackSinkConfig } from './slack-sink.js';
export { recommendationMessage, recoveredMessage, APPROVE_ACTION_ID, REJECT_ACTION_ID } from './slack-message.js';
export { verifySlackRequest, slackSignature, MAX_SKEW_MS, type VerifyResult, type SlackRequestToVerify } from './slack-verify.js';
export { slackActionsRoutes, buildSlackActionsApp, type ApprovalHandler, type SlackActionsOptions, type SlackUser } from './slack-actions.js';
export { GitOpsSink, type GitOpsSinkConfig } from './gitops-sink.js';
export { patchFiles, branchName } from './gitops-patches.js';
export { NotificationsConfigSchema, buildDispatcher, buildSinks, readSlackSecrets, type NotificationsConfig, type SlackSecrets } from './config.js';
export { RecommendationNotifier, expectedEffect, type Publisher, type NotifierDeps } from './notifier.js';
