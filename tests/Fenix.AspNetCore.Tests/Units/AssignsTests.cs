using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>Socket and channel assigns: a fork shares storage until either side writes (copy on write).</summary>
public sealed class AssignsTests
{
    private static Assigns Parent() => new([new("user_id", 42), new("name", "ann")]);

    private static Dictionary<string, object?> Snapshot(Assigns assigns) => assigns.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void A_fork_starts_with_the_parent_values()
    {
        var child = Parent().Fork();

        Assert.Equal(42, child["user_id"]);
        Assert.Equal("ann", child.Get<string>("name"));
        Assert.Equal(2, child.Count);
    }

    [Fact]
    public void Child_writes_do_not_leak_to_the_parent_or_siblings()
    {
        var parent = Parent();
        var first = parent.Fork();
        var second = parent.Fork();

        first["name"] = "bob";
        first["room"] = "lobby";

        Assert.Equal("ann", parent["name"]);
        Assert.False(parent.ContainsKey("room"));
        Assert.Equal("ann", second["name"]);
        Assert.False(second.ContainsKey("room"));
        Assert.Equal("bob", first["name"]);
        Assert.Equal(3, first.Count);
    }

    [Fact]
    public void Parent_writes_after_a_fork_do_not_leak_into_children()
    {
        var parent = Parent();
        var child = parent.Fork();

        parent["name"] = "changed";
        parent["new"] = true;

        Assert.Equal("ann", child["name"]);
        Assert.False(child.ContainsKey("new"));
        Assert.Equal("changed", parent["name"]);
    }

    [Fact]
    public void A_parent_forked_twice_and_written_leaves_both_children_intact()
    {
        var parent = Parent();
        var first = parent.Fork();
        parent["step"] = 1;
        var second = parent.Fork();
        parent["step"] = 2;

        Assert.False(first.ContainsKey("step"));
        Assert.Equal(1, second["step"]);
        Assert.Equal(2, parent["step"]);
    }

    [Fact]
    public void Removals_are_copy_on_write_too()
    {
        var parent = Parent();
        var child = parent.Fork();
        var sibling = parent.Fork();

        Assert.True(child.Remove("name"));
        Assert.False(child.Remove("name"));
        Assert.False(child.Remove("never"));

        Assert.Equal("ann", parent["name"]);
        Assert.Equal("ann", sibling["name"]);

        Assert.True(parent.Remove("user_id"));
        Assert.Equal(42, sibling["user_id"]);
        Assert.True(child.ContainsKey("user_id"));
    }

    [Fact]
    public void A_fork_of_a_fork_is_isolated_from_both()
    {
        var parent = Parent();
        var child = parent.Fork();
        child["level"] = 1;
        var grandchild = child.Fork();

        grandchild["level"] = 2;
        child["other"] = "x";

        Assert.Equal(1, child["level"]);
        Assert.Equal(2, grandchild["level"]);
        Assert.False(grandchild.ContainsKey("other"));
        Assert.False(parent.ContainsKey("level"));
    }

    [Fact]
    public void Forks_of_empty_assigns_never_share_writes()
    {
        var first = new Assigns().Fork();
        var second = new Assigns().Fork();
        var third = new Assigns([]).Fork();

        first["x"] = 1;

        Assert.False(second.ContainsKey("x"));
        Assert.Equal(0, third.Count);
        Assert.Equal(0, new Assigns().Fork().Count);
    }

    [Fact]
    public void Many_children_each_see_only_their_own_writes()
    {
        var parent = Parent();
        var children = Enumerable.Range(0, 50).Select(_ => parent.Fork()).ToArray();

        for (var i = 0; i < children.Length; i += 2)
        {
            children[i]["index"] = i;
        }

        for (var i = 0; i < children.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? i : null, children[i]["index"]);
            Assert.Equal(42, children[i]["user_id"]);
        }

        Assert.False(parent.ContainsKey("index"));
    }

    [Fact]
    public void The_constructor_copies_its_source()
    {
        var source = new Dictionary<string, object?> { ["a"] = 1 };
        var assigns = new Assigns(source);

        source["a"] = 2;
        assigns["b"] = 3;

        Assert.Equal(1, assigns["a"]);
        Assert.False(source.ContainsKey("b"));
    }

    [Fact]
    public void Reads_of_missing_keys()
    {
        var assigns = Parent();

        Assert.Null(assigns["missing"]);
        Assert.False(assigns.ContainsKey("missing"));
        Assert.False(assigns.TryGet<string>("missing", out var missing));
        Assert.Null(missing);
        Assert.False(assigns.ContainsKey("USER_ID")); // keys are case-sensitive
    }

    [Fact]
    public void Typed_reads_check_the_type()
    {
        var assigns = Parent();

        Assert.True(assigns.TryGet<int>("user_id", out var id));
        Assert.Equal(42, id);
        Assert.False(assigns.TryGet<string>("user_id", out _));
        Assert.True(assigns.TryGet<object>("name", out _));
    }

    [Fact]
    public void Get_explains_a_missing_or_mistyped_assign()
    {
        var assigns = Parent();

        var missing = Assert.Throws<KeyNotFoundException>(() => assigns.Get<int>("room"));
        Assert.Contains("'room' is not set", missing.Message, StringComparison.Ordinal);

        var mistyped = Assert.Throws<KeyNotFoundException>(() => assigns.Get<string>("user_id"));
        Assert.Contains("Int32", mistyped.Message, StringComparison.Ordinal);
        Assert.Contains("String", mistyped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_values_are_stored_but_not_typed()
    {
        var assigns = new Assigns();
        assigns["nothing"] = null;

        Assert.True(assigns.ContainsKey("nothing"));
        Assert.Null(assigns["nothing"]);
        Assert.False(assigns.TryGet<string>("nothing", out _));
        Assert.Throws<KeyNotFoundException>(() => assigns.Get<string>("nothing"));
    }

    [Fact]
    public void Enumeration_and_keys_show_the_current_values()
    {
        var parent = Parent();
        var child = parent.Fork();
        child["extra"] = 1;

        Assert.Equal(new Dictionary<string, object?> { ["user_id"] = 42, ["name"] = "ann", ["extra"] = 1 }, Snapshot(child));
        Assert.Equal(["extra", "name", "user_id"], child.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, object?> { ["user_id"] = 42, ["name"] = "ann" }, Snapshot(parent));
    }

    /// <summary>
    /// Random sets, removals and forks across the inline/dictionary boundary (up to 12 keys), each family member checked
    /// against a plain dictionary after every step: values, count, keys and enumeration order-free.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_writes_and_forks_match_a_dictionary_model(int seed)
    {
        var random = new Random(seed);
        var family = new List<(Assigns Assigns, Dictionary<string, object?> Model)> { (new Assigns(), new Dictionary<string, object?>()) };
        for (var step = 0; step < 2000; step++)
        {
            var index = random.Next(family.Count);
            var (assigns, model) = family[index];
            var key = $"k{random.Next(12)}";
            switch (random.Next(10))
            {
                case < 6:
                    var value = random.Next(3) == 0 ? null : (object)step;
                    assigns[key] = value;
                    model[key] = value;
                    break;
                case < 9:
                    Assert.Equal(model.Remove(key), assigns.Remove(key));
                    break;
                default:
                    if (family.Count < 16)
                    {
                        family.Add((assigns.Fork(), new Dictionary<string, object?>(model)));
                    }

                    break;
            }

            foreach (var (member, expected) in family)
            {
                Assert.Equal(expected.Count, member.Count);
                Assert.Equal(expected.OrderBy(p => p.Key), Snapshot(member).OrderBy(p => p.Key));
                Assert.Equal(expected.Keys.Order(), member.Keys.Order());
                Assert.Equal(expected.ContainsKey(key), member.ContainsKey(key));
            }
        }
    }
}
