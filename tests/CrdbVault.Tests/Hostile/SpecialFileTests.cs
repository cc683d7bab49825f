using System.Diagnostics;
using CrdbVault.Core.Validation;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// Every file the module reads as input (-JwtPath, token files, certs dirs, CA bundles, manifests) goes
/// through InputBudgets.ReadFile. A FIFO put in a file's place blocked the open for ever (no Ctrl+C
/// helps: the thread sits in open(2)), also in the background re-login of a -JwtPath session; a
/// device is read without end. Only regular files are read (Linux, where the type is known).
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-special-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Read(string path) =>
        InputBudgets.ReadFile(path, InputBudgets.SmallFileBytes, size => new ArgumentException($"{size} bytes"));

    [Fact]
    public async Task A_FIFO_or_a_link_to_one_is_refused_without_blocking()
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = Path.Combine(_dir, "token");
        using (Process mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        string link = Path.Combine(_dir, "token-link");
        File.CreateSymbolicLink(link, fifo);

        foreach (string path in new[] { fifo, link })
        {
            Task<byte[]> read = Task.Run(() => Read(path));
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(60))) != read)
            {
                using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // let the blocked open go
                Assert.Fail($"reading '{path}' blocked on the FIFO");
            }
        }
        foreach (string path in new[] { fifo, link })
            Assert.Contains("not a regular file", Assert.Throws<IOException>(() => Read(path)).Message);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/dev/null")]
    public void A_device_is_refused_before_it_is_read(string device)
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Contains("not a regular file", Assert.Throws<IOException>(() => Read(device)).Message);
    }

    [Fact]
    public void A_regular_file_and_a_link_to_one_are_read()
    {
        string file = Path.Combine(_dir, "jwt");
        File.WriteAllText(file, "eyJ.a.b");
        string link = Path.Combine(_dir, "jwt-link");
        File.CreateSymbolicLink(link, file);
        Assert.Equal("eyJ.a.b"u8.ToArray(), Read(file));
        Assert.Equal("eyJ.a.b"u8.ToArray(), Read(link));
    }
}
