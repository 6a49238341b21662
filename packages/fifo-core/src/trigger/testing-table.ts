// Hand-made table descriptions for the generator's unit specs (the integration
// tests read real ones from information_schema).
import type { ColumnMeta, TableMeta } from './table-meta.ts';

export const col = (name: string, dataType: string, o: Partial<ColumnMeta> = {}): ColumnMeta => ({
  name,
  dataType,
  nullable: false,
  maxBytes: ['varchar', 'char', 'text', 'varbinary', 'binary', 'blob'].includes(dataType) ? 80 : null,
  ...o,
});

/** shop.orders with a composite primary key (shop_id, order_no). */
export const orders: TableMeta = {
  schema: 'shop',
  name: 'orders',
  columns: [
    col('shop_id', 'int'),
    col('order_no', 'varchar'),
    col('status', 'varchar'),
    col('total', 'decimal', { nullable: true }),
    col('note', 'text', { nullable: true, maxBytes: 65535 }),
  ],
  primaryKey: ['shop_id', 'order_no'],
};
