// The built-in actions of workflow files (docs/github-actions.md, "actions/cache and
// artifacts"): bash functions a job's script defines when one of its steps uses
// actions/cache, actions/upload-artifact or actions/download-artifact. The step's with:
// values reach them in GH_* variables (values from outside the file stay data: path
// patterns are expanded as globs, never as shell text); what they keep is under the
// workspace's state directory, $GAUNTLET_STATE_DIR:
//   gha-artifacts/<run id>/<name>/...   the files of an artifact, relative to its root
//   gha-cache/<32 hex>.tar, .key        a cache entry (a tar of its paths) and its key
// Cache entries are saved when the job ends, only if it succeeded and the key missed
// (__gh_cache_saves, from $RUNNER_TEMP/cache_saves), as GitHub's post step does; the split
// actions/cache/restore never saves, actions/cache/save saves at its step.
#pragma once

namespace gauntlet::spec {

inline constexpr const char* kBuiltinActionFunctions = R"SH(
__gh_state() {
  [ -n "$GAUNTLET_STATE_DIR" ] && return 0
  printf 'gauntlet: %s: this job has no state directory (GAUNTLET_STATE_DIR)\n' "$1" >&2; return 1
}
__gh_lines() {
  local __l
  while IFS= read -r __l || [ -n "$__l" ]; do
    __l=${__l#"${__l%%[![:space:]]*}"}; __l=${__l%"${__l##*[![:space:]]}"}
    [ -n "$__l" ] && printf '%s\n' "$__l"
  done <<< "$1"
  return 0
}
__gh_expand() {
  local __p __m
  shopt -s globstar nullglob dotglob
  while IFS= read -r __p; do
    case $__p in "~"/*) __p=$HOME/${__p#"~/"} ;; esac
    if [[ $__p == *[*?[]* ]]; then
      for __m in $__p; do printf '%s\n' "$__m"; done
    elif [ -e "$__p" ]; then printf '%s\n' "$__p"; fi
  done
}
__gh_files() {
  local __inc=() __exc=() __p __f
  while IFS= read -r __p; do
    if [[ $__p == '!'* ]]; then __exc+=("${__p#!}"); else __inc+=("$__p"); fi
  done < <(__gh_lines "$1")
  while IFS= read -r __f; do
    if [ -d "$__f" ]; then find "$__f" -type f; else printf '%s\n' "$__f"; fi
  done < <(printf '%s\n' "${__exc[@]}" | __gh_expand) > "$RUNNER_TEMP/excluded"
  while IFS= read -r __f; do
    if [ -d "$__f" ]; then find "$__f" -type f; else printf '%s\n' "$__f"; fi
  done < <(printf '%s\n' "${__inc[@]}" | __gh_expand) | sort -u | grep -vxF -f "$RUNNER_TEMP/excluded" |
    if [ "$GH_HIDDEN" = true ]; then cat; else grep -vE '(^|/)[.][^/.]'; fi || true
}
__gh_root() {
  local __p __b __root=
  while IFS= read -r __p; do
    [[ $__p == '!'* ]] && continue
    case $__p in "~"/*) __p=$HOME/${__p#"~/"} ;; esac
    if [[ $__p == *[*?[]* ]]; then __b=${__p%%[*?[]*}; [[ $__b == */* ]] && __b=${__b%/*} || __b=.
    elif [ -d "$__p" ]; then __b=${__p%/}
    elif [[ $__p == */* ]]; then __b=${__p%/*}
    else __b=.; fi
    if [ -z "$__root" ]; then __root=$__b; continue; fi
    while [ "$__root" != . ] && [ "$__root" != / ] && [[ $__b/ != "$__root"/* ]]; do
      [[ $__root == */* ]] && __root=${__root%/*} || __root=.
      [ -z "$__root" ] && __root=/
    done
  done < <(__gh_lines "$1")
  printf '%s' "${__root:-.}"
}
__gh_upload() {
  __gh_state upload-artifact || return 1
  local __name=${GH_NAME:-artifact} __dest __root __f __rel __n=0
  if [[ -z $__name || $__name == *[\"/\\:\<\>\|\*\?]* ]]; then
    printf 'gauntlet: upload-artifact: the name %s may not contain " : < > | * ? / \\\n' "$__name" >&2; return 1
  fi
  __dest="$GAUNTLET_STATE_DIR/gha-artifacts/$GAUNTLET_RUN_ID/$__name"
  if [ -e "$__dest" ] && [ "$GH_OVERWRITE" != true ]; then
    printf 'gauntlet: upload-artifact: this run already has an artifact named %s (overwrite: true replaces it)\n' "$__name" >&2; return 1
  fi
  __root=$(__gh_root "$GH_PATH")
  __gh_files "$GH_PATH" > "$RUNNER_TEMP/upload"
  if [ ! -s "$RUNNER_TEMP/upload" ]; then
    case ${GH_IF_NO_FILES:-warn} in
      error) printf 'gauntlet: upload-artifact: no files found for %s\n' "$GH_PATH" >&2; return 1 ;;
      ignore) return 0 ;;
      *) printf '::warning::No files were found with the provided path: %s. No artifacts will be uploaded.\n' "$GH_PATH"; return 0 ;;
    esac
  fi
  rm -rf -- "$__dest.tmp" && mkdir -p -- "$__dest.tmp" || return 1
  while IFS= read -r __f; do
    __rel=${__f#"$__root"/}; [ "$__root" = . ] && __rel=${__f#./}
    mkdir -p -- "$__dest.tmp/$(dirname -- "$__rel")" && cp -p -- "$__f" "$__dest.tmp/$__rel" || return 1
    __n=$((__n + 1))
  done < "$RUNNER_TEMP/upload"
  rm -rf -- "$__dest" && mv -- "$__dest.tmp" "$__dest" || return 1
  printf 'upload-artifact: %s: %s files\n' "$__name" "$__n"
  echo "artifact-id=$__name" >> "$GITHUB_OUTPUT"
}
__gh_download() {
  __gh_state download-artifact || return 1
  local __store="$GAUNTLET_STATE_DIR/gha-artifacts/$GAUNTLET_RUN_ID" __to=${GH_PATH:-.} __d
  case $__to in "~"/*) __to=$HOME/${__to#"~/"} ;; esac
  if [ -n "$GH_NAME" ]; then
    if [ ! -d "$__store/$GH_NAME" ]; then
      printf 'gauntlet: download-artifact: this run has no artifact named %s (it has: %s)\n' "$GH_NAME" \
        "$(ls -- "$__store" 2>/dev/null | tr '\n' ' ')" >&2; return 1
    fi
    mkdir -p -- "$__to" && cp -pR -- "$__store/$GH_NAME/." "$__to/" || return 1
    printf 'download-artifact: %s into %s\n' "$GH_NAME" "$__to"
  else
    for __d in "$__store"/*/; do
      [ -d "$__d" ] || continue
      __d=${__d%/}; mkdir -p -- "$__to/${__d##*/}" && cp -pR -- "$__d/." "$__to/${__d##*/}/" || return 1
      printf 'download-artifact: %s into %s\n' "${__d##*/}" "$__to/${__d##*/}"
    done
  fi
  echo "download-path=$(cd -- "$__to" && pwd)" >> "$GITHUB_OUTPUT"
}
__gh_cache_file() { printf '%s' "$1" | sha256sum | cut -c1-32; }
__gh_cache_restore() {
  __gh_state cache || return 1
  local __dir="$GAUNTLET_STATE_DIR/gha-cache" __hit=false __found= __k __f
  if [ -z "$GH_KEY" ]; then echo 'gauntlet: actions/cache: the key is empty' >&2; return 1; fi
  if [ -f "$__dir/$(__gh_cache_file "$GH_KEY").tar" ]; then
    __found=$GH_KEY __hit=true
  else
    while IFS= read -r __k; do
      for __f in $(ls -t -- "$__dir"/*.key 2>/dev/null); do
        if [[ $(< "$__f") == "$__k"* ]]; then __found=$(< "$__f"); break 2; fi
      done
    done < <(__gh_lines "$GH_RESTORE_KEYS")
  fi
  if [ -n "$__found" ]; then
    tar -xPf "$__dir/$(__gh_cache_file "$__found").tar" -C "$GITHUB_WORKSPACE" || return 1
    printf 'actions/cache: restored key %s\n' "$__found"
    echo "cache-matched-key=$__found" >> "$GITHUB_OUTPUT"
  else
    printf 'actions/cache: no cache for key %s\n' "$GH_KEY"
    if [ "$GH_FAIL_ON_MISS" = true ]; then
      echo "gauntlet: actions/cache: no cache for $GH_KEY (fail-on-cache-miss)" >&2; return 1
    fi
  fi
  echo "cache-hit=$__hit" >> "$GITHUB_OUTPUT"
  echo "cache-primary-key=$GH_KEY" >> "$GITHUB_OUTPUT"
  [ "$__hit" = true ] || [ "$GH_LOOKUP_ONLY" = true ] || [ "$GH_NO_SAVE" = true ] && return 0
  __gh_pair "$RUNNER_TEMP/cache_saves" k "$GH_KEY"
  __gh_pair "$RUNNER_TEMP/cache_saves" p "$GH_PATH"
}
__gh_cache_save() {
  local __dir="$GAUNTLET_STATE_DIR/gha-cache" __f __paths=()
  __f=$(__gh_cache_file "$1")
  [ -e "$__dir/$__f.tar" ] && return 0
  mapfile -t __paths < <(cd -- "$GITHUB_WORKSPACE" && __gh_lines "$2" | grep -v '^!' | __gh_expand)
  if [ ${#__paths[@]} = 0 ]; then printf 'actions/cache: nothing to save for key %s\n' "$1"; return 0; fi
  if mkdir -p -- "$__dir" && tar -cPf "$__dir/$__f.tmp" -C "$GITHUB_WORKSPACE" -- "${__paths[@]}" &&
     mv -- "$__dir/$__f.tmp" "$__dir/$__f.tar" && printf '%s' "$1" > "$__dir/$__f.key"; then
    printf 'actions/cache: saved key %s\n' "$1"
  else
    printf '::warning::actions/cache: could not save key %s\n' "$1"
  fi
}
__gh_cache_restore_only() { GH_NO_SAVE=true __gh_cache_restore; }
__gh_cache_save_now() {
  __gh_state cache/save || return 1
  if [ -z "$GH_KEY" ]; then echo 'gauntlet: actions/cache/save: the key is empty' >&2; return 1; fi
  if [ -e "$GAUNTLET_STATE_DIR/gha-cache/$(__gh_cache_file "$GH_KEY").tar" ]; then
    printf '::warning::Failed to save: Unable to reserve cache with key %s, another job may be creating this cache. More details: Cache already exists.\n' "$GH_KEY"
    return 0
  fi
  __gh_cache_save "$GH_KEY" "$GH_PATH"
}
__gh_checkout() {
  local __to=$GH_PATH __ref=${GH_REF:-${GITHUB_SHA:-HEAD}} __src __sha
  if [[ $__to == /* || /$__to/ == */../* ]]; then
    printf 'gauntlet: actions/checkout: path %s is not inside the workspace\n' "$__to" >&2; return 1
  fi
  __src=$(git -C "$GITHUB_WORKSPACE" rev-parse --show-toplevel 2>/dev/null) || {
    echo 'gauntlet: actions/checkout: the workspace is not in a git repository' >&2; return 1; }
  __sha=$(git -C "$__src" rev-parse -q --verify "$__ref^{commit}") || {
    printf 'gauntlet: actions/checkout: the repository has no ref %s\n' "$__ref" >&2; return 1; }
  if [ -d "$__to/.git" ]; then
    git -C "$__to" fetch -q --tags origin '+refs/heads/*:refs/remotes/origin/*' HEAD || return 1
  elif [ -n "$(ls -A -- "$__to" 2>/dev/null)" ]; then
    printf 'gauntlet: actions/checkout: %s exists and is not a checkout\n' "$__to" >&2; return 1
  else
    git clone -q --no-checkout -- "$__src" "$__to" || return 1
  fi
  git -C "$__to" checkout -q --force --detach "$__sha" && git -C "$__to" clean -qffdx || return 1
  printf 'actions/checkout: %s (%s) into %s\n' "$__ref" "$__sha" "$__to"
}
__gh_cache_saves() {
  local __gh_ck
  __gh_savepair() { if [ "$1" = k ]; then __gh_ck=$2; else __gh_cache_save "$__gh_ck" "$2"; fi; }
  __gh_pairs "$RUNNER_TEMP/cache_saves" __gh_savepair
}
)SH";

}  // namespace gauntlet::spec
