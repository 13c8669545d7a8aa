using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Serving;

/// <summary>A CSV request body (MLflow's <c>text/csv</c>: a header, then one row per line) as a table of the model's inputs, read with the same CSV reader as datasets.</summary>
public static class CsvRows
{
    /// <summary>Reads the body; columns the model does not take are ignored, as MLflow does.</summary>
    /// <exception cref="BadRequestException">The CSV is malformed or has too many rows.</exception>
    public static async Task<Table> ReadAsync(Stream body, IReadOnlyList<ModelInput> inputs, int maxRows, CancellationToken cancellationToken)
    {
        // Bounded by the request size limit; a temporary file lets the dataset reader parse quotes and missing values as for training data.
        var path = Path.Combine(Path.GetTempPath(), $"mlops-request-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var file = File.Create(path)) await body.CopyToAsync(file, cancellationToken);
            Table table;
            try
            {
                table = await TableLoader.LoadAsync(new Data.DatasetSource { Path = path, Format = Data.DataFormat.Csv }, ModelInputs.Kinds(inputs), null, cancellationToken);
            }
            catch (DataException e)
            {
                throw new BadRequestException($"the CSV body is not readable: {e.Message.Replace(path, "body", StringComparison.Ordinal)}");
            }

            if (table.RowCount == 0) throw new BadRequestException("the CSV body has no rows; send a header line and one line per row.");
            if (table.RowCount > maxRows) throw new BadRequestException($"{table.RowCount:N0} rows is more than this server accepts in one request ({maxRows:N0}).", 413);
            return table;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
