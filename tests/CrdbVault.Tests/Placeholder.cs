namespace CrdbVault.Tests;
