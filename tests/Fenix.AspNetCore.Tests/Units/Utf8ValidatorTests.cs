using System.Text;
using System.Text.Unicode;
using Fenix.AspNetCore.Transports.WebSockets;
using Xunit;

namespace Fenix.AspNetCore.Tests.Units;

/// <summary>UTF-8 checked one fragment at a time, with code points split anywhere between fragments.</summary>
public sealed class Utf8ValidatorTests
{
    private static bool Validate(params byte[][] fragments)
    {
        var validator = new Utf8Validator();
        foreach (var fragment in fragments)
        {
            if (!validator.Append(fragment))
            {
                return false;
            }
        }

        return validator.AtBoundary;
    }

    [Fact]
    public void Valid_text_split_at_every_position_into_two_or_three_fragments_is_valid()
    {
        var text = Encoding.UTF8.GetBytes("aé✓🦊\u0800\uFFFD\U0010FFFFz");
        for (var i = 0; i <= text.Length; i++)
        {
            Assert.True(Validate(text[..i], text[i..]), $"split at {i}");
            for (var j = i; j <= text.Length; j++)
            {
                Assert.True(Validate(text[..i], text[i..j], text[j..]), $"split at {i} and {j}");
            }
        }
    }

    [Fact]
    public void Single_byte_fragments_are_enough()
    {
        var text = Encoding.UTF8.GetBytes("Zoë ✓ 🦊");

        Assert.True(Validate([.. text.Select(b => new[] { b })]));
    }

    [Theory]
    [InlineData(new byte[] { 0xF4, 0x90 })] // beyond U+10FFFF
    [InlineData(new byte[] { 0xED, 0xA0 })] // a surrogate
    [InlineData(new byte[] { 0xE0, 0x80 })] // an overlong form
    [InlineData(new byte[] { 0xC0 })]       // can never start anything
    [InlineData(new byte[] { 0xF5 })]
    [InlineData(new byte[] { 0x80 })]       // a continuation with nothing to continue
    [InlineData(new byte[] { 0xC3, 0x28 })]
    public void An_impossible_prefix_fails_in_the_fragment_that_carries_it(byte[] bad)
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append("ok "u8));

        Assert.False(validator.Append([(byte)'x', .. bad]));
    }

    [Fact]
    public void A_prefix_that_turns_invalid_in_the_next_fragment_fails_there()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Append([0x61, 0xF0, 0x9F])); // so far the start of a 4-byte code point
        Assert.False(validator.AtBoundary);

        Assert.False(validator.Append([0x41])); // ...but ASCII follows
    }

    [Fact]
    public void Text_that_ends_inside_a_code_point_is_not_at_a_boundary()
    {
        Assert.False(Validate([0x61, 0xE2, 0x9C]));
        Assert.False(Validate([0x61, 0xE2], [0x9C]));
        Assert.True(Validate([0x61, 0xE2], [0x9C], [0x93]));
    }

    [Fact]
    public void Random_byte_strings_split_randomly_agree_with_the_whole_message_check()
    {
        var random = new Random(20261201);
        byte[] alphabet = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xC3, 0xDF, 0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x9F, 0x8F, 0x90];
        for (var run = 0; run < 20_000; run++)
        {
            var bytes = new byte[random.Next(0, 12)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = alphabet[random.Next(alphabet.Length)];
            }

            var cut1 = random.Next(0, bytes.Length + 1);
            var cut2 = random.Next(cut1, bytes.Length + 1);
            Assert.True(
                Utf8.IsValid(bytes) == Validate(bytes[..cut1], bytes[cut1..cut2], bytes[cut2..]),
                $"{Convert.ToHexString(bytes)} cut at {cut1},{cut2}");
        }
    }
}
