// The settings form of each channel kind: its fields as the API takes them under the kind's
// settings object ("twilio", "email"…), where the stored channel shows their values, and how
// each is edited. Secrets are write-only (never shown; blank keeps the stored one); fields
// marked create are fixed once connected (the provider's id of the channel).
//
// A field is { n: name inside the settings object (dotted when nested), type: text | secret |
// check | number | select | textarea | hours | list | lines | json | color | people, opts:
// select values, create: only when connecting, edit: only when editing, key: where the stored
// channel keeps it when not under n }.
const spoken = ['greeting', 'closedMessage', 'consentNotice'];

export const kinds = {
  sms: {
    field: 'twilio', read: ch => ch.twilio || {}, fields: [
      { n: 'accountSid', type: 'text', required: true }, { n: 'authToken', type: 'secret', required: true },
      { n: 'phoneNumber', type: 'text', create: true, required: true, placeholder: '+14155550100' }],
  },
  messenger: {
    field: 'messenger', read: ch => ch.messenger || {}, fields: [
      { n: 'pageId', type: 'text', create: true, required: true }, { n: 'pageAccessToken', type: 'secret', required: true },
      { n: 'appSecret', type: 'secret', required: true }, { n: 'verifyToken', type: 'text' }],
  },
  whatsapp: {
    field: 'whatsapp', read: ch => ch.whatsapp || {}, fields: [
      { n: 'wabaId', type: 'text', create: true, required: true }, { n: 'phoneNumberId', type: 'text', create: true, required: true },
      { n: 'displayNumber', type: 'text', required: true, placeholder: '+14155550100' }, { n: 'accessToken', type: 'secret', required: true },
      { n: 'appSecret', type: 'secret', required: true }, { n: 'verifyToken', type: 'text' }],
  },
  email: {
    field: 'email', read: ch => ch.email || {}, fields: [
      { n: 'address', type: 'text', create: true, placeholder: 'support@example.com' }, { n: 'forwarding', type: 'check', create: true },
      { n: 'fromNameMode', type: 'select', opts: ['agent_and_company', 'company'] }, { n: 'companyName', type: 'text' },
      { n: 'fromAddress', type: 'text' }, { n: 'signatureHtml', type: 'textarea' },
      { n: 'language', type: 'select', opts: ['en', 'da'] },
      { n: 'translations', type: 'json', hint: '{"da": {"signatureHtml": "<p>Venlig hilsen {{agent.fullName}}</p>"}} (null removes a language)' },
      { n: 'forwardedToOriginalSender', type: 'check', default: true }],
  },
  custom: {
    field: 'custom', read: ch => ch.settings || {}, fields: [
      { n: 'webhookUrl', type: 'text', required: true, placeholder: 'https://' }, { n: 'identifier', type: 'select', opts: ['id', 'phone', 'email'], create: true },
      { n: 'threading', type: 'select', opts: ['identifier', 'thread'] }, { n: 'maxText', type: 'number' },
      { n: 'attachmentTypes', type: 'list', hint: 'image, audio, video, file' }, { n: 'maxAttachmentBytes', type: 'number' },
      { n: 'maxAttachments', type: 'number' }, { n: 'agentsStart', type: 'check' }, { n: 'rotateSecret', type: 'check', edit: true }],
  },
  form: {
    field: 'form', read: ch => ch.settings || {}, fields: [
      { n: 'fields', type: 'json', required: true, default: [{ name: 'email', type: 'email', label: 'Email', required: true }, { name: 'message', type: 'textarea', label: 'Message', required: true }] },
      { n: 'emailField', type: 'text', required: true, default: 'email' }, { n: 'redirectUrl', type: 'text' }, { n: 'thankYouText', type: 'text' },
      { n: 'consentText', type: 'text' }, { n: 'privacyUrl', type: 'text' }, { n: 'submitSecret', type: 'check' },
      { n: 'acknowledgement.subject', type: 'text', key: 'ackSubject' }, { n: 'acknowledgement.text', type: 'textarea', key: 'ackText' }],
  },
  voice: {
    field: 'voice', read: ch => ({ ...(ch.settings || {}), ...(ch.twilio || {}) }), fields: [
      { n: 'accountSid', type: 'text', required: true }, { n: 'authToken', type: 'secret', required: true },
      { n: 'phoneNumber', type: 'text', create: true, required: true, placeholder: '+14155550100' }, { n: 'signingKey', type: 'secret' },
      { n: 'recording', type: 'check' }, { n: 'transcription', type: 'check' }, { n: 'voicemail', type: 'check' },
      ...spoken.map(n => ({ n, type: 'text' })), { n: 'ringTimeout', type: 'number', default: 20 }, { n: 'timeZone', type: 'text', placeholder: 'Europe/Copenhagen' },
      { n: 'hours', type: 'hours' }],
  },
  chat: {
    field: 'chat', read: ch => { try { return JSON.parse((ch.settings || {}).chat || '{}'); } catch { return {}; } }, fields: [
      { n: 'color', type: 'color', default: '#1f6feb' }, { n: 'welcomeMessage', type: 'textarea' },
      { n: 'header.mode', type: 'select', opts: ['users_and_teams', 'contact_owner'] },
      { n: 'header.userIds', type: 'people', of: 'users' }, { n: 'header.teamIds', type: 'people', of: 'teams' },
      { n: 'header.fallbackUserIds', type: 'people', of: 'users' }, { n: 'header.fallbackTeamIds', type: 'people', of: 'teams' },
      { n: 'availability.mode', type: 'select', opts: ['user_based', 'office_hours', 'always'] }, { n: 'availability.timeZone', type: 'text', placeholder: 'Europe/Copenhagen' },
      { n: 'availability.hours', type: 'hours' }, { n: 'availability.holidays', type: 'list', hint: '2026-12-25, 2026-12-26' },
      { n: 'display.available.replyTime', type: 'select', opts: ['minutes', 'hours', 'day'] }, { n: 'display.away.message', type: 'textarea' },
      { n: 'display.away.emailCapture', type: 'check' }, { n: 'display.away.emailPrompt', type: 'text' }, { n: 'display.offline.show', type: 'select', opts: ['next_opening', 'away_message', 'hide_launcher'] },
      { n: 'display.atCapacity.show', type: 'select', opts: ['waiting_message', 'hide_launcher', 'nothing'] }, { n: 'display.atCapacity.message', type: 'textarea' },
      { n: 'allowedOrigins', type: 'lines', hint: 'https://shop.example' }, { n: 'consentText', type: 'textarea' }, { n: 'privacyUrl', type: 'text' },
      { n: 'language', type: 'select', opts: ['en', 'da'] }, { n: 'translations', type: 'json', hint: '{"da": {"welcomeMessage": "…"}}' },
      { n: 'identityVerification', type: 'check' }, { n: 'newIdentitySecret', type: 'check', edit: true }],
  },
};
