// "Nothing leaves your machine" includes libraries' telemetry. onnxruntime-node (1.2x and later)
// writes a device id and a SQLite queue of usage events (session creation, model metadata) to
// ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ unless ORT_DISABLE_TELEMETRY is set. The node
// binding offers no API for it, so it must be the environment variable.
//
// ORT reads the variable from the process's real environment when it creates its global
// environment (the first session), so importing this module anywhere before the first session is
// early enough. A worker thread's `process.env` is a private copy that native code never sees, so
// the main thread of every process that runs ORT in a worker must import this before starting the
// worker: the job service does. The one module that imports onnxruntime-node (exec/ort-node.ts,
// lint keeps it the only one) imports this first.

process.env.ORT_DISABLE_TELEMETRY = '1';

export {};
