import RedisClient
import Testing

@Suite("Redis URL")
struct RedisURLParsingTests {
    @Test("valid URLs give endpoint, credentials and database", arguments: [
        ("redis://localhost", RedisURL(endpoint: .tcp(host: "localhost", port: 6379))),
        ("redis://10.0.0.5:6380", RedisURL(endpoint: .tcp(host: "10.0.0.5", port: 6380))),
        ("redis://:secret@h:1/3", RedisURL(endpoint: .tcp(host: "h", port: 1), password: "secret", database: 3)),
        ("redis://alice:s%40cret@h", RedisURL(endpoint: .tcp(host: "h", port: 6379), username: "alice", password: "s@cret")),
        ("redis://secret@h", RedisURL(endpoint: .tcp(host: "h", port: 6379), password: "secret")),
        ("redis://[::1]:7000", RedisURL(endpoint: .tcp(host: "::1", port: 7000))),
        ("unix:///run/redis.sock", RedisURL(endpoint: .unix(path: "/run/redis.sock"))),
        ("unix:///run/redis.sock?db=2", RedisURL(endpoint: .unix(path: "/run/redis.sock"), database: 2)),
        ("redis+sentinel://s1,s2:26380,[::1]/mymaster", RedisURL(endpoint: .sentinel(RedisSentinels(
            addresses: [.init(host: "s1", port: 26379), .init(host: "s2", port: 26380), .init(host: "::1", port: 26379)],
            primaryName: "mymaster"
        )))),
        ("redis+sentinel://alice:pw@s1:1/main?db=4", RedisURL(
            endpoint: .sentinel(RedisSentinels(addresses: [.init(host: "s1", port: 1)], primaryName: "main")),
            username: "alice", password: "pw", database: 4
        )),
        ("redis+cluster://n1:7000,n2,[::1]:7002", RedisURL(endpoint: .cluster(seeds: [
            .init(host: "n1", port: 7000), .init(host: "n2", port: 6379), .init(host: "::1", port: 7002),
        ]))),
        ("redis+cluster://alice:s%40cret@n1:7000/", RedisURL(
            endpoint: .cluster(seeds: [.init(host: "n1", port: 7000)]), username: "alice", password: "s@cret"
        )),
    ])
    func valid(_ text: String, _ expected: RedisURL) throws {
        #expect(try RedisURL(text) == expected)
    }

    @Test("invalid URLs are refused with a reason", arguments: [
        ("http://localhost", "redis://"), ("redis://", "host"), ("redis://h:0", "port"), ("redis://h:70000", "port"),
        ("redis://h:abc", "port"), ("redis://h/-1", "database"), ("redis://h/x", "database"),
        ("unix://relative.sock", "absolute path"), ("unix:///s.sock?dbx=1", "parameter"),
        ("redis+sentinel://s1:26379", "primary's name"), ("redis+sentinel://s1:26379/", "primary's name"),
        ("redis+sentinel://s1,,s2/m", "host"), ("redis+sentinel://s1:0/m", "port"),
        ("redis+sentinel://s1/m?db=x", "db"), ("redis+sentinel://s1/m/3", "primary"),
        ("redis+cluster://", "host"), ("redis+cluster://n1,,n2", "host"), ("redis+cluster://n1:0", "port"),
        ("redis+cluster://n1/3", "database 0"), ("redis+cluster://n1?db=1", "database 0"),
        // Found by the redis-url fuzz target: hosts with control characters or spaces were accepted.
        ("redis:///K>:///K>@\u{10}\u{4}\u{0}", "control characters"), ("redis://my host:6379", "spaces"),
        ("redis://[[]", "IPv6"), ("redis://a]b:1", "IPv6"), ("redis://[]:1", "host is missing"), ("redis://[abc]", "IPv6"),
    ])
    func invalid(_ text: String, _ reason: String) {
        #expect {
            _ = try RedisURL(text)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.code == .invalidURL && error.message.contains(reason)
        }
    }

    @Test("the description hides the password")
    func descriptionHidesPassword() throws {
        let url = try RedisURL("redis://alice:secret@h:1/2")
        #expect(!url.description.contains("secret"))
        #expect(url.description == "redis://alice:***@h:1/2")
    }

    @Test("a Sentinel URL prints as it is written, without the password")
    func sentinelDescription() throws {
        let url = try RedisURL("redis+sentinel://:secret@s1:26379,s2:26380/main?db=2")
        #expect(url.description == "redis+sentinel://:***@s1:26379,s2:26380/main?db=2")
        #expect(url.sentinels?.primaryName == "main")
        #expect(try RedisURL("redis://h").sentinels == nil)
    }

    @Test("a cluster URL prints as it is written, without the password")
    func clusterDescription() throws {
        let url = try RedisURL("redis+cluster://:secret@n1:7000,[::1]:7001")
        #expect(url.description == "redis+cluster://:***@n1:7000,[::1]:7001")
        #expect(url.clusterSeeds == [.init(host: "n1", port: 7000), .init(host: "::1", port: 7001)])
        #expect(try RedisURL("redis://h").clusterSeeds == nil)
    }
}
