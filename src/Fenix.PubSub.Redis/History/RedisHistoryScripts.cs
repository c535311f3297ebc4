namespace Fenix.PubSub.Redis.History;

/// <summary>
/// The Lua scripts of <see cref="RedisHistoryStore"/>: each runs atomically on the Redis that holds the topic's two keys
/// (same hash slot), which is what makes the topic's counter the single ordering point of the cluster.
/// Keys: KEYS[1] the topic's meta hash (<c>e</c> epoch, <c>o</c> last offset), KEYS[2] its stream (entry id
/// <c>&lt;offset&gt;-0</c>, fields <c>t</c> time in ms and <c>d</c> data). Times and new epochs come from Redis's clock.
/// </summary>
internal static class RedisHistoryScripts
{
    private const string Common = """
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function epoch_at(ms, suffix)
          local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
          local s = ''
          for i = 1, 9 do
            local d = ms % 36
            s = string.sub(digits, d + 1, d + 1) .. s
            ms = math.floor(ms / 36)
          end
          return s .. suffix
        end
        local function new_epoch(old, suffix)
          local ms = now_ms()
          local e = epoch_at(ms, suffix)
          while old and e <= old do
            ms = ms + 1
            e = epoch_at(ms, suffix)
          end
          redis.call('DEL', KEYS[2])
          redis.call('HSET', KEYS[1], 'e', e, 'o', 0)
          return e
        end

        """;

    /// <summary>ARGV: random epoch suffix, force a new epoch ("1"/"0"), max length, stream ttl ms, meta ttl ms, data. Returns {epoch, offset}.</summary>
    public const string Append = Common + """
        local e = redis.call('HGET', KEYS[1], 'e')
        if (not e) or ARGV[2] == '1' then
          e = new_epoch(e, ARGV[1])
        end
        local o = redis.call('HINCRBY', KEYS[1], 'o', 1)
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], string.format('%d-0', o), 't', string.format('%d', now_ms()), 'd', ARGV[6])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return {e, string.format('%d', o)}
        """;

    /// <summary>
    /// ARGV: random epoch suffix, meta ttl ms, force ("1"/"0"). Starts a new epoch at offset 0 when forced or when the
    /// topic has none. Returns {epoch, top}.
    /// </summary>
    public const string StartEpoch = Common + """
        local m = redis.call('HMGET', KEYS[1], 'e', 'o')
        local e = m[1]
        local o = m[2] or '0'
        if (not e) or ARGV[3] == '1' then
          e = new_epoch(e, ARGV[1])
          o = '0'
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return {e, o}
        """;

    /// <summary>
    /// ARGV: since epoch ("" for none), since offset, last, max count. Returns {epoch ("" for none), top, now ms, kind
    /// (0 none, 1 since, 2 last — newest first), entries}: see HistoryQuery.
    /// </summary>
    public const string Read = Common + """
        local now = string.format('%d', now_ms())
        local m = redis.call('HMGET', KEYS[1], 'e', 'o')
        if not m[1] then
          return {'', '0', now, 0, {}}
        end
        local e = m[1]
        local top = tonumber(m[2])
        local since = tonumber(ARGV[2])
        local last = tonumber(ARGV[3])
        local max = tonumber(ARGV[4])
        if ARGV[1] == e and since <= top and (last == 0 or top - since <= max) then
          local to = math.min(top, since + max)
          local entries = {}
          if to > since then
            entries = redis.call('XRANGE', KEYS[2], string.format('%d-0', since + 1), string.format('%d-0', to))
          end
          return {e, string.format('%d', top), now, 1, entries}
        end
        if last > 0 and max > 0 then
          return {e, string.format('%d', top), now, 2, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', math.min(last, max))}
        end
        return {e, string.format('%d', top), now, 0, {}}
        """;
}
