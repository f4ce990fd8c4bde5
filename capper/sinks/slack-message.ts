// Block Kit message for one recommendation, with Approve / Reject buttons whose value is the
// recommendation id (Slack sends it back in the interactive payload, see slack-actions.ts).
import { describeAction, formatW, isRestore, type Recommendation } from './types.js';

export const APPROVE_ACTION_ID = 'climatik_approve';
export const REJECT_ACTION_ID = 'climatik_reject';

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly object[];
}

export function recommendationMessage(rec: Recommendation): SlackMessage {
  const restore = isRestore(rec);
  const enforced = rec.mode === 'Enforce';
  const where = `(policy ${rec.policy.namespace}/${rec.policy.name})`;
  const headline = restore
    ? enforced
      ? `Rack ${rec.rack.id} is back under its power cap: giving capacity back ${where}`
      : `Rack ${rec.rack.id} is back under its power cap: give capacity back? ${where}`
    : `Rack ${rec.rack.id} ${rec.rack.state === 'OverCap' ? 'is over' : 'is forecast over'} its power cap${enforced ? ': capping' : ''} ${where}`;
  const actions = rec.actions.length === 0 ? '_no action possible_' : rec.actions.map((a) => `• ${describeAction(a)}`).join('\n');
  return {
    // Fallback for notifications and clients without Block Kit.
    text: headline,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Measured*\n${formatW(rec.rack.measuredW)}` },
          { type: 'mrkdwn', text: `*Forecast*\n${formatW(rec.rack.forecastW)}` },
          { type: 'mrkdwn', text: `*Cap*\n${formatW(rec.rack.capW)}` },
          { type: 'mrkdwn', text: `*State*\n${rec.rack.state}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: `*${enforced ? 'Actions being applied (Enforce)' : 'Actions'}*\n${actions}`.slice(0, 3000) } },
      { type: 'section', text: { type: 'mrkdwn', text: `*Expected effect*\n${rec.expectedEffect}` } },
      // Nothing to approve without actions, and nothing to approve in Enforce: no buttons.
      ...(rec.actions.length === 0 || enforced ? [] : [decisionButtons(rec.id)]),
    ],
  };
}

function decisionButtons(id: string): object {
  return {
    type: 'actions',
    block_id: 'climatik_decision',
    elements: [
      { type: 'button', action_id: APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: id },
      { type: 'button', action_id: REJECT_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: id },
    ],
  };
}

export function recoveredMessage(rackKey: string): SlackMessage {
  const text = `Recovered: ${rackKey} is back under its cap; its open recommendation is void.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
