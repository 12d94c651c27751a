// Messaging Line in Off-Hours (controllerbot_messaging_mid_conversation_msg), V2: the consumer wrote
// while the contact center is closed. A transfer takes skillId and/or agentId.
const AFTER_HOURS_SKILL = process.env.AFTER_HOURS_SKILL || '563268';

async function lambda(input) {
  return [
    { type: 'systemMessage', text: 'We are closed right now. Leave your question and we will come back to you.' },
    { type: 'transfer', skillId: AFTER_HOURS_SKILL }
  ];
}
