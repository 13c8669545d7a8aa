namespace MlOps.Serving;

/// <summary>A request the model cannot answer: 400 with the message (which field, what was expected).</summary>
public sealed class BadRequestException(string message, int status = 400) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;
}
