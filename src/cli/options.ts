import { Option } from 'commander';
import { parseOption, type OptionSpec } from '../options.js';

/**
 * The commander option of an entry of the option table (src/options.ts): its flags, help, default
 * and parser. `over` changes the default or the help where a command needs its own.
 */
export function cliOption(spec: OptionSpec<unknown>, over: { default?: unknown; help?: string; defaultText?: string } = {}): Option {
  const flags = `${spec.short ? `${spec.short}, ` : ''}${spec.flag}${spec.value ? ` ${spec.value}` : ''}`;
  const value = 'default' in over ? over.default : spec.default;
  const given = value !== undefined && value !== null;
  // a default that is not a value (computed by the run: "all cores") is said in the help itself
  const help = over.help ?? spec.help;
  const defaultText = over.defaultText ?? spec.defaultText;
  const o = new Option(flags, !given && defaultText ? `${help} (default: ${defaultText})` : help);
  if (spec.value) o.argParser((s: string) => parseOption(spec, s));
  if (given) o.default(value, spec.defaultText);
  else if (!spec.value && !spec.nullable) o.default(false); // a switch is off unless given; a nullable one is undecided (--no-… turns it off)
  return o;
}
