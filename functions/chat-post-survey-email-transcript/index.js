// Chat Post Survey E-Mail Transcript (denver_post_survey_email_transcript), V2. The payload:
// csatRank, skillName, agentName, questionWithAnswers[]. The result: the e-mails to send the chat's
// transcript to, each {targetEmail, senderName, senderEmail, subject}; [] sends none.
async function lambda(input) {
  const { csatRank, skillName, agentName } = input.payload;
  if (csatRank > 2) {
    return [];
  }
  return [{
    targetEmail: 'quality-' + (skillName || 'team') + '@example.com',
    senderName: 'Customer care',
    senderEmail: 'noreply@example.com',
    subject: 'Low CSAT (' + csatRank + ') for ' + (agentName || 'an agent')
  }];
}
