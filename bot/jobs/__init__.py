"""Job runners, one module per kind of job, each taking its typed payload (`payloads`); `dispatch`
reads a claimed job's payload and hands it to its runner."""
