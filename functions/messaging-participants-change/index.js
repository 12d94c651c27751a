// Messaging Participants Change (controllerbot_messaging_participants_change), V2.
// participantChange.oldParticipants and .newParticipants are [{id, role}].
async function lambda(input) {
  const change = input.payload.participantChange || { oldParticipants: [], newParticipants: [] };
  const before = new Set(change.oldParticipants.map((participant) => participant.id + '/' + participant.role));
  const joined = change.newParticipants.filter((participant) => !before.has(participant.id + '/' + participant.role));
  if (joined.length === 0) {
    return [];
  }
  return [{ type: 'systemMessage', text: joined.length === 1 ? 'Another agent joined to help.' : joined.length + ' agents joined to help.' }];
}
