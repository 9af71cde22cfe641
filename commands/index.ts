import Analyze from './analyze';
import Autocomplete from './autocomplete';
import Collect from './collect';
import Explain from './explain';
import Help from './help';
import Rules from './rules';
import State from './state';
import Timeline from './timeline';
import Verify from './verify';
import Version from './version';
import Watch from './watch';

/** Every command, by the name typed after smsdiag (package.json "oclif.commands" points here). */
export const COMMANDS = {
  analyze: Analyze,
  autocomplete: Autocomplete,
  collect: Collect,
  explain: Explain,
  help: Help,
  rules: Rules,
  state: State,
  timeline: Timeline,
  verify: Verify,
  version: Version,
  watch: Watch,
};
