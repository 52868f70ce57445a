import type { LayoutProps } from "$fresh/server.ts";

export default function BlogLayout({ Component }: LayoutProps) {
  return (
    <div class="layout-blog">
      <Component />
    </div>
  );
}
