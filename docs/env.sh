# The shell of the examples in docs/*.md. In the repository's folder, with `make run` serving:
#   . docs/env.sh
# BASE        the server (make run: http://127.0.0.1:8000)
# CRED        the demo clients' credentials (written by `make run` / `coursegate demo`)
# get_token ROLE [curl arguments]   a token of a demo client, e.g. get_token staff -d token_type=jwt
# cred ROLE FIELD                   a field of the credentials, e.g. cred staff client_id
# authentication.md explains each step.
BASE=http://127.0.0.1:8000
CRED=${COURSEGATE_VAR_DIR:-var}/demo-credentials.json

cred() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' "$CRED" "$1" "$2"
}

get_token() {
  curl -s -X POST "$BASE/oauth2/access_token" -d grant_type=client_credentials \
       -d client_id="$(cred "$1" client_id)" -d client_secret="$(cred "$1" client_secret)" "${@:2}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
