// Runs async jobs one at a time, in the order they were queued. The capper puts every reconcile
// pass and every Slack approval through one queue, so an approval never writes to a ScaledObject
// or Node while a reconcile of the same policy is deciding on (or patching) it.
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves or rejects with `job`'s result once every job queued before it has settled. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    // A failed job must not poison the queue for the next one.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Settles when everything queued so far has settled (shutdown). */
  idle(): Promise<void> {
    return this.tail;
  }
}
