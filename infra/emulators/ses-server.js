// Starts aws-ses-v2-local (SES v1 SendEmail/SendRawEmail and v2; viewer at /, sent mail as JSON
// at GET /store) on 127.0.0.1:PORT.
// Usage: node ses-server.js PORT
//
// The emulator keeps only what mailparser extracts from a raw message (from, replyTo, to/cc/bcc,
// subject, text, html, attachments): threading headers such as Message-ID, In-Reply-To and
// References are lost. So that tests can check them, each email sent raw also gets `rawData`,
// the raw MIME message base64-encoded exactly as SES received it (RawMessage.Data / Content.Raw.Data).
// The hook carries the raw bytes from the parser to the store inside the parsed message (as a
// marked attachment the store strips again), so parallel requests cannot mix them up.
const mailparser = require("mailparser");
const store = require("aws-ses-v2-local/dist/store");
const server = require("aws-ses-v2-local").default;

const RAW = "__inboxRawMessage";

const simpleParser = mailparser.simpleParser;
mailparser.simpleParser = async (input, ...rest) => {
  const message = await simpleParser(input, ...rest);
  if (Buffer.isBuffer(input) && Array.isArray(message.attachments)) {
    message.attachments.push({ [RAW]: true, content: input, contentType: "message/rfc822", size: input.length });
  }
  return message;
};

const saveEmail = store.saveEmail;
store.saveEmail = (email) => {
  if (Array.isArray(email.attachments)) {
    const raw = email.attachments.find((a) => a && a[RAW]);
    if (raw) {
      email.attachments = email.attachments.filter((a) => !(a && a[RAW]));
      email.rawData = raw.content; // already base64: the handlers encode attachment contents
    }
  }
  return saveEmail(email);
};

const port = Number(process.argv[2] || process.env.PORT || 8005);
server({ host: "127.0.0.1", port })
  .then(() => console.log(`aws-ses-v2-local listening on http://127.0.0.1:${port}`))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
