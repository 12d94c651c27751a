// Messaging Consumer Step Up (controllerbot_messaging_consumer_step_up), V2: the consumer
// authenticated in the middle of the conversation.
async function lambda(input) {
  const skillId = process.env.AUTHENTICATED_SKILL;
  const commands = [{ type: 'systemMessage', text: 'Thanks for signing in: we can now see your account.' }];
  if (skillId) {
    commands.push({ type: 'transfer', skillId });
  }
  return commands;
}
