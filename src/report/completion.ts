/** What shell completion needs to know of the commands: names, flags, the values flags take. */
export interface CompletionSpec {
  bin: string;
  /** Further names the program is called by (the single executable's file name). */
  aliases: string[];
  commands: Array<{ id: string; flags: Array<{ name: string; options?: readonly string[] }> }>;
  /** Words `explain` takes as its first argument. */
  topics: string[];
}

function words(xs: Iterable<string>): string {
  return [...xs].join(' ');
}

/**
 * A bash completion function: command names, each command's flags, the fixed values of flags
 * that have them, topics for `explain`, and file names everywhere else (PATH arguments).
 */
function bashScript(spec: CompletionSpec): string {
  const fn = `_${spec.bin.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  const flagCases = spec.commands.map((c) => `    ${c.id}) flags=${JSON.stringify(words(c.flags.map((f) => `--${f.name}`)))} ;;`);
  const valueCases = spec.commands.flatMap((c) =>
    c.flags.filter((f) => f.options?.length).map((f) => `    "${c.id} --${f.name}") COMPREPLY=($(compgen -W ${JSON.stringify(words(f.options!))} -- "$cur")); return ;;`),
  );
  const names = [spec.bin, ...spec.aliases].map((n) => JSON.stringify(n)).join(' ');
  return [
    `# ${spec.bin} completion for bash: eval "$(${spec.bin} autocomplete bash)" in ~/.bashrc`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="${COMP_WORDS[1]}" flags=""',
    '  if [ "$COMP_CWORD" -eq 1 ]; then',
    `    COMPREPLY=($(compgen -W ${JSON.stringify(words(spec.commands.map((c) => c.id)))} -- "$cur")); return`,
    '  fi',
    '  case "$cmd $prev" in',
    ...valueCases,
    '  esac',
    '  case "$cmd" in',
    ...flagCases,
    '  esac',
    '  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); return; fi',
    `  if [ "$cmd" = explain ] && [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=($(compgen -W ${JSON.stringify(words(spec.topics))} -- "$cur")); return; fi`,
    '  COMPREPLY=($(compgen -f -- "$cur"))',
    '}',
    `complete -o filenames -F ${fn} ${names}`,
    '',
  ].join('\n');
}

/** The script to eval in the shell's start-up file; zsh uses the bash function through bashcompinit. */
export function completionScript(shell: 'bash' | 'zsh', spec: CompletionSpec): string {
  if (shell === 'bash') return bashScript(spec);
  return [`# ${spec.bin} completion for zsh: eval "$(${spec.bin} autocomplete zsh)" in ~/.zshrc`, 'autoload -U +X compinit && compinit', 'autoload -U +X bashcompinit && bashcompinit', bashScript(spec)].join('\n');
}
