// Starts local-aws-sqs (SQS JSON protocol, FIFO, dedup, DLQ redrive) on 127.0.0.1:PORT.
// Usage: node sqs-server.js PORT
const { createSqsServer } = require("local-aws-sqs");

const port = Number(process.argv[2] || process.env.PORT || 9324);
createSqsServer({ port, hostname: "127.0.0.1", emulateQueueCreationLifecycle: false })
  .then(() => console.log(`local-aws-sqs listening on http://127.0.0.1:${port}`))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
