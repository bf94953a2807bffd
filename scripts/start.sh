#!/usr/bin/env bash
# `npm start`: see Greenprint work on the bundled samples.
#   1. set up and build;
#   2. print the CLI report (`node dist/cli.js report FILE`) of every sample model under samples/;
#   3. start VS Code (code-server) on samples/ with the packaged extension installed, print the URL to open,
#      and keep running until Ctrl+C.
# With --no-editor, or when CI is set, it stops after the reports (exit code 1 if a report failed).
# Env: GREENPRINT_PORT (default 8080; a free port is taken when it is busy).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export npm_config_loglevel=error

with_editor=1
[ -n "${CI:-}" ] && with_editor=0
for arg in "$@"; do
  case "$arg" in
    --no-editor) with_editor=0 ;;
    *) echo "usage: scripts/start.sh [--no-editor]" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
npm run --silent build

# Sample models: everything under samples/ except provenance sidecars, notes and licences, OFA's run.config
# (the input size that goes with net.config, not a model), and the supernets' data: weights, predictor
# checkpoints and training data, latency tables, and training reports.
mapfile -t samples < <(find samples -type f ! -name '*.source.json' ! -name '*.md' ! -name 'LICENSE*' ! -name 'run.config' \
  ! -name '*.safetensors' ! -name '*.bin' ! -name '*.pth' ! -name '*.jsonl' ! -name '*_lookup_table.yaml' ! -name 'training-report.json' | sort)
failed_reports=()
for file in "${samples[@]}"; do
  printf '\n\033[1m== %s ==\033[0m\n' "$file"
  node dist/cli.js report "$file" || failed_reports+=("$file")
done
echo
echo "reports: $((${#samples[@]} - ${#failed_reports[@]})) of ${#samples[@]} samples analysed"
for file in "${failed_reports[@]}"; do echo "  report failed: $file"; done

if [ "$with_editor" -eq 0 ]; then
  [ "${#failed_reports[@]}" -eq 0 ]
  exit
fi

# A fresh profile per start, so the extension installed is the one just built.
PROFILE="$ROOT/.cache/start-profile"
rm -rf "$PROFILE"
mkdir -p "$PROFILE/extensions"
node --input-type=module -e "import { writeUserSettings } from './scripts/lib/vscode-harness.mjs'; writeUserSettings(process.argv[1]);" "$PROFILE/user-data"
VSIX="$PROFILE/greenprint.vsix"
node_modules/.bin/vsce package --no-dependencies --skip-license --allow-missing-repository --no-rewrite-relative-links -o "$VSIX" </dev/null >/dev/null
CODE_SERVER=(.cache/bin/code-server --user-data-dir "$PROFILE/user-data" --extensions-dir "$PROFILE/extensions")
"${CODE_SERVER[@]}" --install-extension "$VSIX" >/dev/null

port="${GREENPRINT_PORT:-8080}"
if ! node -e "const s=require('net').createServer().once('error',()=>process.exit(1)).listen(+process.argv[1],'127.0.0.1',()=>s.close())" "$port"; then
  port="$(node --input-type=module -e "import { freePort } from './scripts/lib/vscode-harness.mjs'; console.log(await freePort());")"
fi
folder="$ROOT/samples"
url="http://127.0.0.1:$port/?folder=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$folder")"
cat <<EOF

Greenprint is installed in VS Code (code-server) with the samples/ workspace.
Open:  $url
Then open any sample (Ctrl+P), e.g. yolo/yolo12.yaml: params/MACs appear at the end of each layer line,
hover a layer for its breakdown, or run "Greenprint: Show Model Report" from the command palette (F1).
Press Ctrl+C to stop.

EOF
exec "${CODE_SERVER[@]}" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$folder"
