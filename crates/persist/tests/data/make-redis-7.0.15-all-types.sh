#!/bin/sh
# Regenerates redis-7.0.15-all-types.rdb with a real Redis 7.0.15:
#   sh make-redis-7.0.15-all-types.sh PORT
# The unit test rdb::tests::loads_redis_fixture checks every key below.
set -e
P=${1:-7401}
D=$(mktemp -d)
redis-server --port "$P" --save '' --daemonize yes --pidfile "$D/r.pid" --dir "$D"
sleep 0.5
{
  echo 'set str:int 12345'
  echo 'set str:neg -9000000000'
  echo 'set str:small hello'
  echo 'set str:empty ""'
  echo "set str:long $(printf 'a%.0s' $(seq 1 200))"
  echo 'set str:bin "\x00\xffbin"'
  echo 'set str:float 3.14'
  echo 'set str:exp v'
  echo 'pexpireat str:exp 4102444800000'
  echo 'rpush list:small a b 1 -5 100000 ""'
  for i in $(seq 0 999); do
    if [ $((i % 50)) -eq 0 ]; then
      echo "rpush list:big $(printf "big$i-%.0s" $(seq 1 700))"
    else
      echo "rpush list:big $i e$i"
    fi
  done
  echo 'sadd set:int16 1 2 3 -4'
  echo 'sadd set:int32 70000 -5'
  echo 'sadd set:int64 9223372036854775807 -1'
  echo 'sadd set:str a b c'
  echo 'hset hash:lp field1 v1 f2 123 f3 -7'
  for i in $(seq 0 599); do echo "hset hash:ht f$i v$i"; done
  echo 'zadd zset:lp 1 a 2.5 b -inf c inf d 0 e'
  for i in $(seq 0 199); do echo "zadd zset:sl $i.5 m$i"; done
  echo 'set "\x00key\xff" binary-key'
  echo 'select 3'
  echo 'set x "in db 3"'
  printf '%s\n' 'function load "#!lua name=mylib\nredis.register_function(\"myfunc\", function(keys, args) return 1 end)"'
  echo 'save'
} | redis-cli -p "$P" > /dev/null
cp "$D/dump.rdb" "$(dirname "$0")/redis-7.0.15-all-types.rdb"
kill "$(cat "$D/r.pid")"
