#!/usr/bin/env bash
# Starts an OpenSSH sshd on 127.0.0.1 for the SFTP suites: key authentication only, a
# dedicated account, internal-sftp. Installs openssh-server where it is missing. Prints the
# variables the tests read (tests/helpers/sftp-server.ts); `kill $(cat $SFTP_SSHD_PID)` stops it.
set -euo pipefail
if [ ! -x /usr/sbin/sshd ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >&2
fi
dir="$(mktemp -d /tmp/hub-sshd-XXXXXX)"
chmod 755 "$dir"
user=hubsftp
if ! id "$user" >/dev/null 2>&1; then useradd -M -d "$dir" -s /bin/sh "$user"; fi
usermod -p '*' "$user" # an account without a password hash is locked for sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/user_key"
cp "$dir/user_key.pub" "$dir/authorized_keys"
chown "$user" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys"
port="${SSHD_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}"
cat > "$dir/sshd_config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowUsers $user
Subsystem sftp internal-sftp -u 000
CONFIG
mkdir -p /run/sshd "$dir/files"
chown "$user" "$dir/files"
chmod 777 "$dir/files"
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
for _ in $(seq 1 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
if [ ! -s "$dir/sshd.pid" ]; then
  cat "$dir/sshd.log" >&2
  echo "sshd did not start" >&2
  exit 1
fi
echo "export SFTP_SSHD_HOST=127.0.0.1 SFTP_SSHD_PORT=$port SFTP_SSHD_USER=$user SFTP_SSHD_KEY=$dir/user_key SFTP_SSHD_HOSTKEY=$(ssh-keygen -lf "$dir/host_key.pub" | awk '{print $2}') SFTP_SSHD_ROOT=$dir/files SFTP_SSHD_PID=$dir/sshd.pid"
