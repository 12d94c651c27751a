// Messaging Conversation Routing (controllerbot_messaging_conversation_routing), V1. routing.oldSkillId
// and routing.newSkillId name the skills the conversation moved between.
const SKILL_NAMES = { '563267': 'Billing', '563268': 'Sales' };

function lambda(input, callback) {
  const routing = input.payload.routing || {};
  const team = SKILL_NAMES[routing.newSkillId] || 'the right team';
  callback(null, [{ type: 'systemMessage', text: 'You are being connected to ' + team + '.' }]);
}
