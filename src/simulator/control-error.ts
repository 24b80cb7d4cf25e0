/** A refused control operation (in-process or /_sim/): names what was wrong; `status` is the HTTP answer. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
