/** A bad setting: start-up stops with its message, one line that names the variable. */
export class ConfigError extends Error {}
